package states

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// appendJSON must write exactly what encoding/json writes (HTML escaping
// off), since both end up in the history.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	for _, doc := range []string{
		`{"b":1,"a":[true,false,null,"x"],"c":{"z":"\u0001\n\t\"\\<>&\u2028\u2029é😀"},"n":-1.5e10}`,
		`[]`, `{}`, `""`, `0`, `"\u007f"`,
	} {
		v, err := decodeJSON([]byte(doc))
		require.NoError(t, err)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(v))
		got, err := encodeJSON(v)
		require.NoError(t, err)
		assert.Equal(t, string(bytes.TrimSuffix(want.Bytes(), []byte("\n"))), got)
	}
	got, err := encodeJSON(string([]byte{'a', 0xff, 'b'}))
	require.NoError(t, err)
	assert.Equal(t, `"a\ufffdb"`, got)
}
