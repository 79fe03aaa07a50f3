package sqlite

import (
	"strings"
	"testing"
)

// TestSettingsColumnsMatchFields: settingsCols (the SQL) and settingsFields (the Go
// fields) list the same number of settings, and all of them fit GetPair's packed integer;
// a column added to one and not the other would shift every setting read by GetPair.
func TestSettingsColumnsMatchFields(t *testing.T) {
	if n := len(strings.Split(settingsCols, ",")); n != settingsCount {
		t.Fatalf("settingsCols has %d columns, settingsFields %d", n, settingsCount)
	}
	if settingsCount*settingBits > 62 {
		t.Fatalf("%d settings × %d bits do not fit a non-negative int64", settingsCount, settingBits)
	}
}
