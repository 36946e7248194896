package portabletext

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/golden"
)

var sanityProject = Options{ProjectID: "x7k2pq9r", Dataset: "production"}

func TestMarkdownRendersEachKindOfBlock(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		opts Options
		want string
	}{
		{
			name: "empty document renders nothing",
			doc:  `[]`,
			want: "",
		},
		{
			name: "paragraph",
			doc:  `[{"_type":"block","style":"normal","children":[{"_type":"span","text":"Hello, world."}]}]`,
			want: "Hello, world.\n",
		},
		{
			name: "paragraphs are separated by a blank line",
			doc:  `[{"_type":"block","children":[{"_type":"span","text":"One."}]},{"_type":"block","children":[{"_type":"span","text":"Two."}]}]`,
			want: "One.\n\nTwo.\n",
		},
		{
			name: "headings keep their level",
			doc: `[{"_type":"block","style":"h1","children":[{"_type":"span","text":"Title"}]},
				{"_type":"block","style":"h3","children":[{"_type":"span","text":"Section"}]},
				{"_type":"block","style":"h6","children":[{"_type":"span","text":"Small"}]}]`,
			want: "# Title\n\n### Section\n\n###### Small\n",
		},
		{
			name: "heading line breaks become spaces",
			doc:  `[{"_type":"block","style":"h2","children":[{"_type":"span","text":"Two\nlines"}]}]`,
			want: "## Two lines\n",
		},
		{
			name: "heading ending in a hash keeps it",
			doc:  `[{"_type":"block","style":"h2","children":[{"_type":"span","text":"Why we like C #"}]}]`,
			want: "## Why we like C \\#\n",
		},
		{
			name: "unknown style renders as a paragraph",
			doc:  `[{"_type":"block","style":"lead","children":[{"_type":"span","text":"Lead text."}]}]`,
			want: "Lead text.\n",
		},
		{
			name: "blockquote quotes every line",
			doc:  `[{"_type":"block","style":"blockquote","children":[{"_type":"span","text":"First line\nsecond line"}]}]`,
			want: "> First line  \n> second line\n",
		},
		{
			name: "line break is a hard break",
			doc:  `[{"_type":"block","children":[{"_type":"span","text":"Roses are red\nviolets are blue"}]}]`,
			want: "Roses are red  \nviolets are blue\n",
		},
		{
			name: "blank lines inside a block do not split it",
			doc:  `[{"_type":"block","children":[{"_type":"span","text":"one\n\n\ntwo"}]}]`,
			want: "one  \ntwo\n",
		},
		{
			name: "decorators",
			doc: `[{"_type":"block","children":[
				{"_type":"span","text":"bold","marks":["strong"]},{"_type":"span","text":", "},
				{"_type":"span","text":"italic","marks":["em"]},{"_type":"span","text":", "},
				{"_type":"span","text":"fmt.Println","marks":["code"]},{"_type":"span","text":", "},
				{"_type":"span","text":"underlined","marks":["underline"]},{"_type":"span","text":", "},
				{"_type":"span","text":"gone","marks":["strike-through"]}]}]`,
			want: "**bold**, *italic*, `fmt.Println`, <u>underlined</u>, ~~gone~~\n",
		},
		{
			name: "longer mark encloses shorter one",
			doc: `[{"_type":"block","children":[
				{"_type":"span","text":"bold ","marks":["strong"]},
				{"_type":"span","text":"and italic","marks":["em","strong"]},
				{"_type":"span","text":" text","marks":["strong"]}]}]`,
			want: "**bold *and italic* text**\n",
		},
		{
			name: "overlapping marks close and reopen",
			doc: `[{"_type":"block","children":[
				{"_type":"span","text":"a","marks":["strong"]},
				{"_type":"span","text":"b","marks":["strong","em"]},
				{"_type":"span","text":"c","marks":["em"]}]}]`,
			want: "**a*b***_c_\n",
		},
		{
			name: "white space stays outside delimiters",
			doc: `[{"_type":"block","children":[
				{"_type":"span","text":"Say "},{"_type":"span","text":" hi ","marks":["strong"]},{"_type":"span","text":"now"}]}]`,
			want: "Say  **hi** now\n",
		},
		{
			name: "white space alone gets no delimiters",
			doc:  `[{"_type":"block","children":[{"_type":"span","text":"a"},{"_type":"span","text":" ","marks":["em"]},{"_type":"span","text":"b"}]}]`,
			want: "a b\n",
		},
		{
			name: "code mark keeps text raw and outruns backticks",
			doc:  "[{\"_type\":\"block\",\"children\":[{\"_type\":\"span\",\"text\":\"a `*b*` c\",\"marks\":[\"code\",\"strong\"]}]}]",
			want: "``a `*b*` c``\n",
		},
		{
			name: "link annotation",
			doc: `[{"_type":"block","markDefs":[{"_key":"k1","_type":"link","href":"https://aws.amazon.com/step-functions/"}],
				"children":[{"_type":"span","text":"Read "},{"_type":"span","text":"the docs","marks":["k1"]},{"_type":"span","text":"."}]}]`,
			want: "Read [the docs](https://aws.amazon.com/step-functions/).\n",
		},
		{
			name: "link destination is escaped",
			doc: `[{"_type":"block","markDefs":[{"_key":"k1","_type":"link","href":"https://en.wikipedia.org/wiki/Go_(programming language)"}],
				"children":[{"_type":"span","text":"Go","marks":["k1","strong"]}]}]`,
			want: "[**Go**](https://en.wikipedia.org/wiki/Go_\\(programming%20language\\))\n",
		},
		{
			name: "unsafe link scheme renders as text",
			doc: `[{"_type":"block","markDefs":[{"_key":"k1","_type":"link","href":"java\nscript:alert(1)"}],
				"children":[{"_type":"span","text":"click","marks":["k1"]}]}]`,
			want: "click\n",
		},
		{
			name: "unknown annotation keeps its text",
			doc: `[{"_type":"block","markDefs":[{"_key":"c1","_type":"comment","text":"fix"}],
				"children":[{"_type":"span","text":"noted","marks":["c1"]}]}]`,
			want: "noted\n",
		},
		{
			name: "markdown characters in text are escaped",
			doc:  `[{"_type":"block","children":[{"_type":"span","text":"2*3*4 = snake_case [x] <b> ~x~ a\\b &amp; AT&T"}]}]`,
			want: "2\\*3\\*4 = snake\\_case \\[x\\] \\<b> \\~x\\~ a\\\\b \\&amp; AT&T\n",
		},
		{
			name: "text that looks like block syntax at a line start is escaped",
			doc:  `[{"_type":"block","children":[{"_type":"span","text":"# not a heading\n- not a list\n2024. not a number\n> not a quote\n    not code"}]}]`,
			want: "\\# not a heading  \n\\- not a list  \n2024\\. not a number  \n\\> not a quote  \nnot code\n",
		},
		{
			name: "bullet list nests by level",
			doc: `[{"_type":"block","listItem":"bullet","level":1,"children":[{"_type":"span","text":"one"}]},
				{"_type":"block","listItem":"bullet","level":2,"children":[{"_type":"span","text":"one a"}]},
				{"_type":"block","listItem":"bullet","level":3,"children":[{"_type":"span","text":"one a i"}]},
				{"_type":"block","listItem":"bullet","level":1,"children":[{"_type":"span","text":"two"}]}]`,
			want: "- one\n  - one a\n    - one a i\n- two\n",
		},
		{
			name: "numbered list counts per level and restarts under a new parent",
			doc: `[{"_type":"block","listItem":"number","level":1,"children":[{"_type":"span","text":"first"}]},
				{"_type":"block","listItem":"number","level":2,"children":[{"_type":"span","text":"sub"}]},
				{"_type":"block","listItem":"number","level":2,"children":[{"_type":"span","text":"sub"}]},
				{"_type":"block","listItem":"number","level":1,"children":[{"_type":"span","text":"second"}]},
				{"_type":"block","listItem":"number","level":2,"children":[{"_type":"span","text":"sub"}]}]`,
			want: "1. first\n   1. sub\n   2. sub\n2. second\n   1. sub\n",
		},
		{
			name: "nested items indent to their parent's content column",
			doc: `[` + repeatItems(10, "number", 1) + `,
				{"_type":"block","listItem":"bullet","level":2,"children":[{"_type":"span","text":"child"}]}]`,
			want: "1. item\n2. item\n3. item\n4. item\n5. item\n6. item\n7. item\n8. item\n9. item\n10. item\n    - child\n",
		},
		{
			name: "list item line breaks stay inside the item",
			doc:  `[{"_type":"block","listItem":"bullet","children":[{"_type":"span","text":"line one\nline two"}]}]`,
			want: "- line one  \n  line two\n",
		},
		{
			name: "list ends at the next paragraph",
			doc: `[{"_type":"block","listItem":"bullet","level":1,"children":[{"_type":"span","text":"item"}]},
				{"_type":"block","children":[{"_type":"span","text":"After."}]},
				{"_type":"block","listItem":"number","level":1,"children":[{"_type":"span","text":"again"}]}]`,
			want: "- item\n\nAfter.\n\n1. again\n",
		},
		{
			name: "code block keeps code verbatim with its language",
			doc:  "[{\"_type\":\"code\",\"language\":\"go\",\"code\":\"fmt.Println(\\\"*hi*\\\")\"}]",
			want: "```go\nfmt.Println(\"*hi*\")\n```\n",
		},
		{
			name: "code block fence outruns backticks in the code",
			doc:  "[{\"_type\":\"code\",\"language\":\"markdown\",\"code\":\"```sh\\nls\\n```\\n\"}]",
			want: "````markdown\n```sh\nls\n```\n````\n",
		},
		{
			name: "image resolves to the CDN",
			doc:  `[{"_type":"image","alt":"State machine [graph]","asset":{"_ref":"image-a1b2c3d4e5f6-1600x900-png","_type":"reference"}}]`,
			opts: sanityProject,
			want: "![State machine \\[graph\\]](https://cdn.sanity.io/images/x7k2pq9r/production/a1b2c3d4e5f6-1600x900.png)\n",
		},
		{
			name: "dereferenced image uses its URL",
			doc:  `[{"_type":"image","caption":"Diagram","asset":{"url":"https://cdn.sanity.io/images/p/d/abc-10x10.jpg"}}]`,
			want: "![Diagram](https://cdn.sanity.io/images/p/d/abc-10x10.jpg)\n",
		},
		{
			name: "image without a project is left out",
			doc:  `[{"_type":"image","asset":{"_ref":"image-a1b2c3-10x10-png"}},{"_type":"block","children":[{"_type":"span","text":"text"}]}]`,
			want: "text\n",
		},
		{
			name: "malformed image reference is left out",
			doc:  `[{"_type":"image","asset":{"_ref":"file-a1b2c3-pdf"}}]`,
			opts: sanityProject,
			want: "",
		},
		{
			name: "unknown and malformed blocks are left out",
			doc: `[{"_type":"youtube","url":"https://youtu.be/x"},
				{"_type":"block","children":"not a list"},
				null, 42, "text",
				{"_type":"block","children":[{"_type":"span","text":"kept"}]}]`,
			want: "kept\n",
		},
		{
			name: "inline objects are left out, their text neighbours kept",
			doc:  `[{"_type":"block","children":[{"_type":"span","text":"a "},{"_type":"mention","user":{"_ref":"u"}},{"_type":"span","text":5},{"_type":"span","text":"b"}]}]`,
			want: "a b\n",
		},
		{
			name: "empty blocks are left out",
			doc:  `[{"_type":"block","children":[{"_type":"span","text":""}]},{"_type":"block","children":[{"_type":"span","text":"  "}]},{"_type":"block","children":[{"_type":"span","text":"x"}]}]`,
			want: "x\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Markdown([]byte(tt.doc), tt.opts)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func repeatItems(n int, kind string, level int) string {
	out := ""
	for i := 0; i < n; i++ {
		if i > 0 {
			out += ","
		}
		out += `{"_type":"block","listItem":"` + kind + `","level":` + string(rune('0'+level)) + `,"children":[{"_type":"span","text":"item"}]}`
	}
	return out
}

func TestMarkdownRejectsWhatIsNotADocument(t *testing.T) {
	for _, doc := range []string{``, `{}`, `"text"`, `[`, `null x`} {
		t.Run(doc, func(t *testing.T) {
			_, err := Markdown([]byte(doc), Options{})
			assert.ErrorIs(t, err, ErrNotDocument)
		})
	}
}

func TestMarkdownOfARealPostMatchesGolden(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("testdata", "post.json"))
	require.NoError(t, err)
	got, err := Markdown(doc, sanityProject)
	require.NoError(t, err)

	golden.Assert(t, filepath.Join("testdata", "post.md"), []byte(got))
}

func TestImageURL(t *testing.T) {
	tests := []struct {
		name, project, dataset, ref string
		want                        string
	}{
		{name: "jpg", project: "x7k2pq9r", dataset: "production", ref: "image-Tb9Ew8CXIwaY6R1kjMvI0uRR-2000x3000-jpg",
			want: "https://cdn.sanity.io/images/x7k2pq9r/production/Tb9Ew8CXIwaY6R1kjMvI0uRR-2000x3000.jpg"},
		{name: "dataset with dash and underscore", project: "abc", dataset: "blog-staging_2", ref: "image-0a1b-1x1-webp",
			want: "https://cdn.sanity.io/images/abc/blog-staging_2/0a1b-1x1.webp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ImageURL(tt.project, tt.dataset, tt.ref)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestImageURLRejectsWhatItCannotResolve(t *testing.T) {
	tests := []struct{ name, project, dataset, ref string }{
		{"file asset", "p", "d", "file-abc-pdf"},
		{"no dimensions", "p", "d", "image-abc-png"},
		{"dimensions not numbers", "p", "d", "image-abc-wxh-png"},
		{"empty id", "p", "d", "image--10x10-png"},
		{"path in format", "p", "d", "image-abc-10x10-png/../x"},
		{"no project", "", "d", "image-abc-10x10-png"},
		{"project that would change the host", "p.evil.com/", "d", "image-abc-10x10-png"},
		{"upper-case dataset", "p", "Prod", "image-abc-10x10-png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ImageURL(tt.project, tt.dataset, tt.ref)
			assert.ErrorIs(t, err, ErrImageRef)
		})
	}
}

func FuzzMarkdown(f *testing.F) {
	doc, err := os.ReadFile(filepath.Join("testdata", "post.json"))
	require.NoError(f, err)
	f.Add(string(doc))
	f.Add(`[{"_type":"block","listItem":"number","level":99,"children":[{"_type":"span","text":"x","marks":["a","b","a"]}]}]`)
	f.Add("[{\"_type\":\"code\",\"code\":\"```\"}]")
	f.Fuzz(func(t *testing.T, doc string) {
		md, err := Markdown([]byte(doc), sanityProject)
		if err != nil {
			return
		}
		if md != "" && md[len(md)-1] != '\n' {
			t.Fatalf("output does not end in a newline: %q", md)
		}
	})
}
