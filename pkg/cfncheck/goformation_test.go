package cfncheck

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The goformation fixtures are written by testdata/goformation from goformation's own
// types, so these tests pin the checker to the JSON goformation really emits.

func TestGoformationOutputIsUnderstood(t *testing.T) {
	b, err := os.ReadFile("testdata/goformation-clean.json")
	require.NoError(t, err)
	assert.Empty(t, Check(b))

	counts, err := Stats(b)
	require.NoError(t, err)
	assert.Equal(t, Counts{Resources: 7, Statements: 5, WildcardResourceStatements: 2}, counts)
}

func TestGoformationZeroValueTrapsAreReported(t *testing.T) {
	b, err := os.ReadFile("testdata/goformation-traps.json")
	require.NoError(t, err)
	got := Check(b)
	want := []want{
		{"Resources.Bake.Properties.Code", "empty object"},
		{"Resources.Bake.Properties.Role", "empty string"},
		{"Resources.BakeRole.Properties.Policies[0].PolicyDocument.Statement[0].Resource", "null is not allowed"},
	}
	require.Len(t, got, len(want), "problems: %v", got)
	for i, w := range want {
		assert.Equal(t, w.path, got[i].Path)
		assert.Contains(t, got[i].Message, w.message)
	}
}
