package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// LoadCursor reads a cursor saved by CursorSaver; a missing file is (nil, nil): start
// fresh.
func LoadCursor(path string) (*Cursor, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c Cursor
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("cursor %s: %v", path, err)
	}
	if c.Seqnos == nil {
		c.Seqnos = map[string]uint64{}
	}
	return &c, nil
}

// CursorSaver returns a WatchOptions.Save that writes the cursor to path, replacing
// the file atomically (write, sync, rename) so that a crash leaves the old or the new
// cursor, never half of one.
func CursorSaver(path string) func(Cursor) error {
	return func(c Cursor) error {
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
		if err != nil {
			return err
		}
		defer os.Remove(f.Name()) // fails harmlessly after the rename
		if _, err := f.Write(b); err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		return os.Rename(f.Name(), path)
	}
}
