package diagram

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The shapes of line this package writes, and the only ones: checkSyntax
// reads every line of a chart with them, so anything else is a mistake.
var (
	nodeLine     = regexp.MustCompile(`^([A-Za-z_]\w*)(\(\(|\(\[|\[\[|\[/|\{\{|\[|\(|\{)"([^"]*)"(\)\)|\]\)|\]\]|/\]|\}\}|\]|\)|\})(:::\w+)?$`)
	subgraphLine = regexp.MustCompile(`^subgraph ([A-Za-z_]\w*) \["([^"]*)"\]$`)
	edgeLine     = regexp.MustCompile(`^([A-Za-z_]\w*) (-->|-\.->)(?:\|"([^"]*)"\|)? ([A-Za-z_]\w*)$`)
	classDefLine = regexp.MustCompile(`^classDef \w+ [\w:#,]+$`)
	entity       = regexp.MustCompile(`#\w+;`)
	direction    = regexp.MustCompile(`direction\s+(TB|BT|RL|LR)`) // read as a statement even inside quotes
)

// closers pairs each node shape's opening with its closing.
var closers = map[string]string{
	"((": "))", "([": "])", "[[": "]]", "[/": "/]", "{{": "}}", "[": "]", "(": ")", "{": "}",
}

// checkSyntax checks chart the way Mermaid's parser would fail on it:
// balanced subgraphs, every id declared once before edges use it, no id
// Mermaid reads as a keyword, and labels holding only escaped syntax.
func checkSyntax(t *testing.T, chart string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(chart, "\n"), "\n")
	require.Equal(t, "flowchart TD", lines[0])
	declared := map[string]bool{}
	declare := func(id string) {
		assert.False(t, declared[id], "id %s declared twice", id)
		assert.NotContains(t, []string{"end", "style", "class", "default", "graph", "subgraph"}, id)
		declared[id] = true
	}
	depth := 0
	for _, line := range lines[1:] {
		line = strings.TrimSpace(line)
		if m := subgraphLine.FindStringSubmatch(line); m != nil {
			declare(m[1])
			checkLabel(t, m[2])
			depth++
		} else if line == "end" {
			depth--
			require.GreaterOrEqual(t, depth, 0, "end without subgraph")
		} else if m := nodeLine.FindStringSubmatch(line); m != nil {
			declare(m[1])
			assert.Equal(t, closers[m[2]], m[4], "shape of %s", m[1])
			checkLabel(t, m[3])
		} else if m := edgeLine.FindStringSubmatch(line); m != nil {
			assert.True(t, declared[m[1]], "edge from undeclared %s", m[1])
			assert.True(t, declared[m[4]], "edge to undeclared %s", m[4])
			checkLabel(t, m[3])
		} else {
			assert.Regexp(t, classDefLine, line)
		}
		assert.NotRegexp(t, direction, line)
	}
	assert.Zero(t, depth, "unclosed subgraph")
}

func checkLabel(t *testing.T, text string) {
	t.Helper()
	bare := entity.ReplaceAllString(strings.ReplaceAll(text, "<br/>", ""), "")
	assert.NotContains(t, bare, "#", "label %q", text)
	for _, s := range []string{"<", ">", "|", "`", "&", "$$", "%%", "\n"} {
		assert.NotContains(t, bare, s, "label %q", text)
	}
}
