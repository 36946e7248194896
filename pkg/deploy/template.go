package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// template is the little of a CloudFormation template the deployer reads:
// parameter declarations and each resource's type and deletion policy.
type template struct {
	Parameters map[string]templateParameter `json:"Parameters" yaml:"Parameters"`
	Resources  map[string]templateResource  `json:"Resources" yaml:"Resources"`
}

type templateParameter struct {
	Type    string `json:"Type" yaml:"Type"`
	Default any    `json:"Default" yaml:"Default"`
	NoEcho  any    `json:"NoEcho" yaml:"NoEcho"`
}

type templateResource struct {
	Type           string `json:"Type" yaml:"Type"`
	DeletionPolicy any    `json:"DeletionPolicy" yaml:"DeletionPolicy"`
}

// parseTemplate reads a template in JSON or YAML.
func parseTemplate(body []byte) (*template, error) {
	var t template
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		if err := json.Unmarshal(trimmed, &t); err != nil {
			return nil, fmt.Errorf("template is not valid JSON: %w", err)
		}
		return &t, nil
	}
	if err := yaml.Unmarshal(body, &t); err != nil {
		return nil, fmt.Errorf("template is not valid YAML: %w", err)
	}
	return &t, nil
}

func (p templateParameter) noEcho() bool {
	switch v := p.NoEcho.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

// retained lists, sorted, the logical ids of resources whose DeletionPolicy
// keeps them when their stack is deleted.
func (t *template) retained() []string {
	var ids []string
	for id, r := range t.Resources {
		if s, ok := r.DeletionPolicy.(string); ok && s == "Retain" {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}
