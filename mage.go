//go:build ignore

// Zero-install entry point for the project's tasks: `go run mage.go <target>`
// runs mage from the version pinned in go.mod, so nothing but Go is needed.
package main

import (
	"os"

	"github.com/magefile/mage/mage"
)

func main() { os.Exit(mage.Main()) }
