package wire_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// TestDateHeaderIsServiceClock: every answer's Date header is the service's clock, so
// that a client reading the server's time (the SDK's watcher at its start) agrees with
// the times messages are stamped with, also under --fake-clock.
func TestDateHeaderIsServiceClock(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	u := s.NewUser(0, "u")
	s.Advance(90 * time.Minute)
	for _, path := range []string{testkit.PathSingleUnread, "/no/such/path"} {
		r := s.Get(u, path, nil)
		got, err := http.ParseTime(r.Header.Get("Date"))
		if err != nil {
			t.Fatalf("%s: Date %q: %v", path, r.Header.Get("Date"), err)
		}
		if want := testkit.Epoch.Add(90 * time.Minute); !got.Equal(want) {
			t.Fatalf("%s: Date = %v, want the fake clock's %v", path, got, want)
		}
	}
}
