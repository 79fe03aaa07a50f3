// Package cli is the bilimsg command line: one file per command.
package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Main runs the command line and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "bilimsg: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `bilimsg — a self-hostable, wire-compatible bilibili message center.

Usage:
  bilimsg serve [flags]   run the server (bilimsg serve -h lists the flags)
  bilimsg help            show this help

Every flag can also be set by an environment variable BILIMSG_<NAME>, for example
--admin-token by BILIMSG_ADMIN_TOKEN. A flag on the command line wins over the variable.
`)
}

// applyEnv sets every flag not given on the command line from BILIMSG_<NAME>, where NAME
// is the flag name upper-cased with dashes as underscores.
func applyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		name := "BILIMSG_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := lookup(getenv, name); ok {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %v", name, v, e)
			}
		}
	})
	return err
}

func lookup(getenv func(string) string, name string) (string, bool) {
	if getenv == nil {
		return os.LookupEnv(name)
	}
	v := getenv(name)
	return v, v != ""
}
