package deploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
)

// paramFile is one environment's committed parameter values:
// {"<stack>": {"Param": "value"}, "*": {...}}.
type paramFile struct {
	path     string
	sections map[string]map[string]string
}

// loadParamFile reads path; a file that does not exist holds no values.
func loadParamFile(path string) (*paramFile, error) {
	f := &paramFile{path: path, sections: map[string]map[string]string{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read parameters: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("parameters file %s: want {\"<stack>\": {\"Param\": \"value\"}}: %w", path, err)
	}
	for stack, values := range raw {
		section := map[string]string{}
		for name, v := range values {
			s, err := paramString(v)
			if err != nil {
				return nil, fmt.Errorf("parameters file %s: %s.%s: %w", path, stack, name, err)
			}
			section[name] = s
		}
		f.sections[stack] = section
	}
	return f, nil
}

func paramString(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return fmt.Sprint(v), nil
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			s, err := paramString(e)
			if err != nil {
				return "", err
			}
			if _, nested := e.([]any); nested {
				return "", errors.New("a list value holds only strings or numbers")
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("value %v is not a string, number, boolean or list", v)
}

const envPrefix = "STEPFORGE_PARAM_"

// envStackName is how a stack's name is spelled in STEPFORGE_PARAM_<STACK>__<Param>.
func envStackName(stack string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(stack) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// resolveParams works out every declared parameter's value for one stack.
// given holds the values the deployer itself supplies (ArtifactBucket and
// the assets' keys). A parameter left without a value and without a default
// is an error naming where to set it.
func resolveParams(stack string, t *template, file *paramFile, getenv func(string) string, given map[string]string) (map[string]string, error) {
	var errs []error
	for _, section := range []string{"*", stack} {
		for name := range file.sections[section] {
			p, declared := t.Parameters[name]
			if !declared {
				if section == stack {
					errs = append(errs, fmt.Errorf("stack %s: %s sets parameter %s, which the template does not declare", stack, file.path, name))
				}
				continue
			}
			if p.noEcho() {
				errs = append(errs, fmt.Errorf("stack %s: parameter %s is NoEcho and must not be in %s: secrets never go in the file; set it only in the environment (%s%s)", stack, name, file.path, envPrefix, name))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	names := make([]string, 0, len(t.Parameters))
	for name := range t.Parameters {
		names = append(names, name)
	}
	sort.Strings(names)
	values := map[string]string{}
	for _, name := range names {
		if v, ok := given[name]; ok {
			values[name] = v
			continue
		}
		v, found := "", false
		for _, section := range []string{"*", stack} {
			if s, ok := file.sections[section][name]; ok {
				v, found = s, true
			}
		}
		for _, key := range []string{envPrefix + name, envPrefix + envStackName(stack) + "__" + name, envPrefix + stack + "__" + name} {
			if s := getenv(key); s != "" {
				v, found = s, true
			}
		}
		if found {
			values[name] = v
			continue
		}
		if t.Parameters[name].Default == nil {
			where := file.path + " or " + envPrefix + name
			if t.Parameters[name].noEcho() {
				where = envPrefix + name + " (NoEcho: from the environment only)"
			}
			errs = append(errs, fmt.Errorf("stack %s: parameter %s has no value: set it in %s", stack, name, where))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return values, nil
}
