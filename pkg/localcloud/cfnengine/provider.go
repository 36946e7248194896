package cfnengine

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Provider provisions one resource type, the way CloudFormation's own
// resource providers do: create, update in place, delete, and the values
// Ref and Fn::GetAtt give. It calls the emulated service's Go behaviour,
// so the service's own read API returns what it made.
type Provider interface {
	// Type is the resource type, e.g. "AWS::Lambda::Function".
	Type() string
	// CreateOnlyProperties names the properties whose change replaces the
	// resource ("Update requires: Replacement" in the CloudFormation docs).
	// A property not named is updated in place.
	CreateOnlyProperties() []string
	// Create makes the resource from req.Properties.
	Create(ctx context.Context, req *ResourceRequest) (*ResourceResult, error)
	// Update changes the resource in place: req.PhysicalID names it,
	// req.OldProperties are what it was made from. Only called when no
	// create-only property changed.
	Update(ctx context.Context, req *ResourceRequest) (*ResourceResult, error)
	// Delete removes the resource named by req.PhysicalID. A resource
	// that is already gone is not an error (CloudFormation treats it as
	// deleted).
	Delete(ctx context.Context, req *ResourceRequest) error
}

// ResourceRequest is one provider call.
type ResourceRequest struct {
	StackName, StackID string
	Region, Account    string
	LogicalID          string
	Type               string
	// PhysicalID is the resource's id (Update and Delete).
	PhysicalID string
	// Properties are resolved: no intrinsic functions are left, only
	// map[string]any, []any, string, json.Number and bool.
	Properties map[string]any
	// OldProperties are the properties of the resource being updated.
	OldProperties map[string]any
	// Attributes are what the last Create or Update returned (Update,
	// Delete).
	Attributes map[string]any
}

// ResourceResult is what a Create or Update made.
type ResourceResult struct {
	// PhysicalID is the resource's physical id, shown in
	// DescribeStackResources.
	PhysicalID string
	// Ref is what {"Ref": logicalId} gives; empty means PhysicalID.
	Ref string
	// Attributes are the values Fn::GetAtt gives, by attribute name.
	Attributes map[string]any
}

// Decode fills v (usually a goformation resource type, or a struct of
// one's fields) from the request's properties. Scalars are converted as
// CloudFormation converts them: a template's "30" fills a number and "true"
// a bool (parameters are always strings), a number fills a string.
func (r *ResourceRequest) Decode(v any) error { return DecodeProperties(r.Properties, v) }

// DecodeProperties is ResourceRequest.Decode for any property map.
func DecodeProperties(props map[string]any, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("cfnengine: DecodeProperties needs a non-nil pointer")
	}
	coerced, err := coerce(map[string]any(props), rv.Type().Elem(), "")
	if err != nil {
		return err
	}
	b, err := json.Marshal(coerced)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("properties: %w", err)
	}
	return nil
}

// coerce converts the scalars of val to the kinds typ's fields expect,
// following typ's JSON field names.
func coerce(val any, typ reflect.Type, path string) (any, error) {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch typ.Kind() {
	case reflect.Struct:
		m, ok := val.(map[string]any)
		if !ok {
			return val, nil
		}
		fields := jsonFields(typ)
		out := make(map[string]any, len(m))
		for k, x := range m {
			ft, ok := fields[k]
			if !ok {
				out[k] = x
				continue
			}
			c, err := coerce(x, ft, path+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case reflect.Slice, reflect.Array:
		list, ok := val.([]any)
		if !ok {
			return val, nil
		}
		out := make([]any, len(list))
		for i, x := range list {
			c, err := coerce(x, typ.Elem(), fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case reflect.Map:
		m, ok := val.(map[string]any)
		if !ok {
			return val, nil
		}
		out := make(map[string]any, len(m))
		for k, x := range m {
			c, err := coerce(x, typ.Elem(), path+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		if s, ok := val.(string); ok {
			if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
				return nil, fmt.Errorf("property %s: %q is not a number", strings.TrimPrefix(path, "."), s)
			}
			return json.Number(strings.TrimSpace(s)), nil
		}
	case reflect.Bool:
		if s, ok := val.(string); ok {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return nil, fmt.Errorf("property %s: %q is not a boolean", strings.TrimPrefix(path, "."), s)
			}
			return b, nil
		}
	case reflect.String:
		switch x := val.(type) {
		case json.Number:
			return x.String(), nil
		case bool:
			return strconv.FormatBool(x), nil
		}
	}
	return val, nil
}

func jsonFields(typ reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// PhysicalName is the name CloudFormation gives a resource whose template
// names none: "<stack>-<logicalId>-<13 random characters>", the stack and
// logical id shortened so the whole fits max characters; lower makes it
// lower case (S3 bucket names).
func (r *ResourceRequest) PhysicalName(max int, lower bool) string {
	suffix := randomSuffix(13)
	stack, logical := r.StackName, r.LogicalID
	room := max - len(suffix) - 2
	if room < 2 {
		return truncate(suffix, max)
	}
	for len(stack)+len(logical) > room {
		if len(stack) >= len(logical) {
			stack = stack[:len(stack)-1]
		} else {
			logical = logical[:len(logical)-1]
		}
	}
	name := stack + "-" + logical + "-" + suffix
	if lower {
		name = strings.ToLower(name)
	}
	return name
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func randomSuffix(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// ARN builds an ARN in the request's partition, region and account; an
// empty region leaves it out (IAM, S3).
func ARN(service, region, account, resource string) string {
	return "arn:aws:" + service + ":" + region + ":" + account + ":" + resource
}
