// Command bilimsg is a self-hostable, wire-compatible bilibili message center.
package main

import (
	"os"

	"github.com/bilimsg/bilimsg/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
