package asl_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// aslValidator is the CLI that tools/aslvalidate pins; `npm ci` there
// installs it.
var aslValidator = filepath.Join("..", "..", "tools", "aslvalidate", "node_modules", ".bin", "asl-validator")

// notForASLValidator lists fixtures AWS accepts but asl-validator 4.0.0
// rejects, with the reason.
var notForASLValidator = map[string]string{
	// Its schema requires ResultWriter.Resource, while AWS takes a
	// ResultWriter holding only WriterConfig (reshape results, no S3 export).
	"jsonata-map": "ResultWriter with WriterConfig alone",
}

// TestThirdPartyValidatorAcceptsValidMachines runs every valid fixture
// through asl-validator. Without node_modules it skips locally, but fails
// in CI, where skipping would hide that the check never ran.
func TestThirdPartyValidatorAcceptsValidMachines(t *testing.T) {
	if _, err := os.Stat(aslValidator); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("asl-validator is not installed; run `npm ci` in tools/aslvalidate (%v)", err)
		}
		t.Fatalf("asl-validator is not installed but CI is set; run `npm ci` in tools/aslvalidate: %v", err)
	}
	dir := t.TempDir()
	for _, f := range validMachines() {
		t.Run(f.name, func(t *testing.T) {
			if reason, ok := notForASLValidator[f.name]; ok {
				t.Skipf("asl-validator 4.0.0 rejects what AWS accepts: %s", reason)
			}
			t.Parallel()
			doc, err := f.machine.MarshalIndent("", "  ")
			require.NoError(t, err)
			file := filepath.Join(dir, f.name+".json")
			require.NoError(t, os.WriteFile(file, doc, 0o644))
			out, err := exec.Command(aslValidator, "--json-path", file).CombinedOutput()
			require.NoError(t, err, "asl-validator rejects %s:\n%s", f.name, out)
		})
	}
}
