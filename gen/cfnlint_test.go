package gen_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational.
const cfnLintErrorsOrWarnings = 2 | 4

// TestTemplatesPassCfnLint runs cfn-lint (AWS's CloudFormation linter, in
// the machine image) over every generated template, failing on errors and
// warnings. It needs the cfn-lint command: CI fails without it.
func TestTemplatesPassCfnLint(t *testing.T) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("cfn-lint is not installed (%v): CI's machine image must have it (pip install cfn-lint==1.51.0)", err)
		}
		t.Skip("cfn-lint not installed; install it with: pip install cfn-lint==1.51.0")
	}
	dir := t.TempDir()
	var paths []string
	for _, st := range generate(t) {
		p := filepath.Join(dir, st.Workflow.Name+".template.json")
		require.NoError(t, os.WriteFile(p, st.Template, 0o644))
		paths = append(paths, p)
	}
	out, err := exec.Command(bin, paths...).CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode()&cfnLintErrorsOrWarnings == 0 {
		t.Logf("cfn-lint (informational only):\n%s", out)
		return
	}
	require.NoError(t, err, "cfn-lint:\n%s", out)
}
