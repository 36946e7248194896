package handlers_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryFixtureSaysWhereItComesFrom holds the handlers' fixtures to one
// rule: a file is either a recording or a provider's documented example
// byte for byte, listed with its source in its folder's SOURCES.md, or it
// was made by hand and says so in its name (*.handmade.*). Golden files are
// our own output and fuzz corpora are generated, so neither is a fixture.
func TestEveryFixtureSaysWhereItComesFrom(t *testing.T) {
	var checked int
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "golden", "fuzz", "baseline":
				return filepath.SkipDir
			}
			return nil
		}
		dir := filepath.Dir(path)
		if !strings.Contains(filepath.ToSlash(dir)+"/", "/testdata/") && !strings.HasPrefix(filepath.ToSlash(dir), "testdata") {
			return nil
		}
		name := d.Name()
		if name == "SOURCES.md" || strings.HasPrefix(name, ".") {
			return nil
		}
		checked++
		if strings.Contains(name, ".handmade.") {
			return nil
		}
		sources, err := os.ReadFile(filepath.Join(dir, "SOURCES.md"))
		listed := err == nil && strings.Contains(string(sources), "`"+name+"`")
		assert.True(t, listed, "%s is neither named *.handmade.* nor listed with its source in %s", path, filepath.Join(dir, "SOURCES.md"))
		return nil
	})
	require.NoError(t, err)
	require.Positive(t, checked, "no fixtures found: is the walk looking in the right place?")
}
