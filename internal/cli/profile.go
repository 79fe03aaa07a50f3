package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// profile is one kept login: a server, a user's cookies, and optionally the server's
// admin token for the operator commands.
type profile struct {
	Server     string `json:"server"`
	SESSDATA   string `json:"sessdata,omitempty"`
	BiliJct    string `json:"bili_jct,omitempty"`
	Mid        uint64 `json:"mid,omitempty"`
	AdminToken string `json:"admin_token,omitempty"`
}

// profileFile is the file of profiles, by name.
type profileFile struct {
	Profiles map[string]profile `json:"profiles"`
}

// configPath is where profiles are kept: --config, $BILIMSG_CONFIG, or profiles.json
// in the user's config directory.
func configPath(s *Sys, flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if v := s.getenv("BILIMSG_CONFIG"); v != "" {
		return v, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory (%v); give --config FILE", err)
	}
	return filepath.Join(dir, "bilimsg", "profiles.json"), nil
}

func readProfiles(path string) (profileFile, error) {
	pf := profileFile{Profiles: map[string]profile{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return pf, nil
	}
	if err != nil {
		return pf, err
	}
	if err := json.Unmarshal(b, &pf); err != nil {
		return pf, fmt.Errorf("%s: %v", path, err)
	}
	if pf.Profiles == nil {
		pf.Profiles = map[string]profile{}
	}
	return pf, nil
}

// writeProfiles replaces the file atomically, readable by its owner only: it holds
// login cookies and admin tokens.
func writeProfiles(path string, pf profileFile) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(pf, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".profiles-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
