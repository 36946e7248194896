package gen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stepforge/stepforge/pkg/workflow"
)

// Paths of the generated files, relative to the module root.
const (
	TemplateDir = "build/cfn"
	ASLDir      = "build/asl"
	DocsDir     = "docs/workflows"
)

// Output is one generated file.
type Output struct {
	Path    string
	Content []byte
}

// Files generates every workflow's template, ASL documents and docs page.
func Files(ws []*workflow.Workflow) ([]Output, []*Stack, error) {
	var out []Output
	var stacks []*Stack
	machines := map[string]string{}
	for _, w := range ws {
		st, err := Generate(w)
		if err != nil {
			return nil, nil, err
		}
		stacks = append(stacks, st)
		out = append(out, Output{filepath.Join(TemplateDir, w.Name+".template.json"), append(st.Template, '\n')})
		for _, m := range w.Machines {
			if other, dup := machines[m.Name]; dup {
				return nil, nil, fmt.Errorf("state machine %s is declared by both %s and %s", m.Name, other, w.Name)
			}
			machines[m.Name] = w.Name
			out = append(out, Output{filepath.Join(ASLDir, m.Name+".asl.json"), append(st.ASL[m.Name], '\n')})
		}
		page, err := Docs(st)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, Output{filepath.Join(DocsDir, w.Name+".md"), page})
	}
	return out, stacks, nil
}

// Synth writes every generated file under root and reports the stacks.
func Synth(root string, ws []*workflow.Workflow) ([]*Stack, error) {
	files, stacks, err := Files(ws)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		path := filepath.Join(root, f.Path)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, f.Content) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, f.Content, 0o644); err != nil {
			return nil, err
		}
	}
	return stacks, nil
}
