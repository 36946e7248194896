package cfnengine_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

const baseTemplate = `{
 "Parameters": {
  "Env": {"Type": "String", "Default": "prod"},
  "Subnets": {"Type": "CommaDelimitedList", "Default": "a,b,c"},
  "Count": {"Type": "Number", "Default": "3"},
  "AttrName": {"Type": "String", "Default": "Arn"}
 },
 "Mappings": {"Region": {"us-east-1": {"Ami": "ami-1", "Zones": ["z1", "z2"]}}},
 "Conditions": {
  "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
  "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
  "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Equals": ["1", 1]}]},
  "Either": {"Fn::Or": [{"Condition": "IsDev"}, {"Condition": "IsProd"}]},
  "InRegion": {"Fn::Equals": [{"Fn::FindInMap": ["Region", {"Ref": "AWS::Region"}, "Ami"]}, "ami-1"]},
  "ThreeSubnets": {"Fn::Equals": [{"Fn::Select": [2, {"Ref": "Subnets"}]}, "c"]}
 },
 "Resources": {
  "Bucket": {"Type": "AWS::S3::Bucket"},
  "Db": {"Type": "AWS::RDS::DBInstance"},
  "DevOnly": {"Type": "AWS::SNS::Topic", "Condition": "IsDev"},
  "Pending": {"Type": "AWS::SNS::Topic"}
 }
}`

func newResolver(t *testing.T, body string) *cfnengine.Resolver {
	t.Helper()
	tmpl, err := cfnengine.Parse([]byte(body))
	require.NoError(t, err)
	params, err := cfnengine.ResolveParameters(tmpl, nil, nil)
	require.NoError(t, err)
	r := &cfnengine.Resolver{
		Template:   tmpl,
		Parameters: params,
		Pseudo: cfnengine.Pseudo{StackName: "demo", StackID: "arn:aws:cloudformation:us-east-1:123456789012:stack/demo/1",
			Region: "us-east-1", AccountID: "123456789012", Partition: "aws", URLSuffix: "amazonaws.com",
			NotificationARNs: []string{"arn:aws:sns:us-east-1:123456789012:n"}},
		Resource: func(id string) (any, map[string]any, bool) {
			switch id {
			case "Bucket":
				return "my-bucket", map[string]any{"Arn": "arn:aws:s3:::my-bucket"}, true
			case "Db":
				return "db-1", map[string]any{"Endpoint.Address": "db.local", "Endpoint": map[string]any{"Port": "5432"}}, true
			case "DevOnly":
				return "dev", map[string]any{}, true
			}
			return nil, nil, false
		},
		Export: func(name string) (string, bool) {
			if name == "SharedVpc" {
				return "vpc-1", true
			}
			return "", false
		},
	}
	require.NoError(t, r.EvalConditions())
	return r
}

func decode(t *testing.T, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v), s)
	return v
}

type errKind int

const (
	noErr errKind = iota
	formatErr
	resolveErr
)

func TestResolveFunctions(t *testing.T) {
	r := newResolver(t, baseTemplate)
	for _, c := range []struct {
		name, in, want string
		kind           errKind
		err            string
	}{
		// Ref
		{"ref parameter", `{"Ref": "Env"}`, `"prod"`, noErr, ""},
		{"ref list parameter", `{"Ref": "Subnets"}`, `["a","b","c"]`, noErr, ""},
		{"ref number parameter is a string", `{"Ref": "Count"}`, `"3"`, noErr, ""},
		{"ref pseudo", `[{"Ref": "AWS::StackName"}, {"Ref": "AWS::StackId"}, {"Ref": "AWS::Region"}, {"Ref": "AWS::AccountId"}, {"Ref": "AWS::Partition"}, {"Ref": "AWS::URLSuffix"}]`,
			`["demo","arn:aws:cloudformation:us-east-1:123456789012:stack/demo/1","us-east-1","123456789012","aws","amazonaws.com"]`, noErr, ""},
		{"ref notification arns", `{"Ref": "AWS::NotificationARNs"}`, `["arn:aws:sns:us-east-1:123456789012:n"]`, noErr, ""},
		{"novalue removes key and item", `{"A": {"Ref": "AWS::NoValue"}, "B": [1, {"Ref": "AWS::NoValue"}, 2]}`, `{"B": [1, 2]}`, noErr, ""},
		{"novalue whole", `{"Ref": "AWS::NoValue"}`, `null`, noErr, ""},
		{"ref resource", `{"Ref": "Bucket"}`, `"my-bucket"`, noErr, ""},
		{"ref undefined", `{"Ref": "Nope"}`, ``, formatErr, "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"},
		{"ref resource whose condition is false", `{"Ref": "DevOnly"}`, ``, formatErr, "Unresolved resource dependencies [DevOnly] in the Resources block of the template"},
		{"ref resource not created", `{"Ref": "Pending"}`, ``, resolveErr, "resource Pending is referenced before it has been created"},
		{"ref not a string", `{"Ref": ["Env"]}`, ``, formatErr, "Every Ref object must have a single String value."},
		// Fn::GetAtt
		{"getatt list", `{"Fn::GetAtt": ["Bucket", "Arn"]}`, `"arn:aws:s3:::my-bucket"`, noErr, ""},
		{"getatt dotted string", `{"Fn::GetAtt": "Bucket.Arn"}`, `"arn:aws:s3:::my-bucket"`, noErr, ""},
		{"getatt dotted attribute", `{"Fn::GetAtt": ["Db", "Endpoint.Address"]}`, `"db.local"`, noErr, ""},
		{"getatt nested attribute", `{"Fn::GetAtt": "Db.Endpoint.Port"}`, `"5432"`, noErr, ""},
		{"getatt attribute from ref", `{"Fn::GetAtt": ["Bucket", {"Ref": "AttrName"}]}`, `"arn:aws:s3:::my-bucket"`, noErr, ""},
		{"getatt undefined resource", `{"Fn::GetAtt": ["Nope", "Arn"]}`, ``, formatErr, "Template error: instance of Fn::GetAtt references undefined resource Nope"},
		{"getatt unknown attribute", `{"Fn::GetAtt": ["Bucket", "Colour"]}`, ``, resolveErr, "Template error: resource Bucket does not support attribute type Colour in Fn::GetAtt"},
		{"getatt arity", `{"Fn::GetAtt": ["Bucket"]}`, ``, formatErr, "Template error: every Fn::GetAtt object requires two non-empty parameters"},
		// Fn::Sub
		{"sub string", `{"Fn::Sub": "${AWS::StackName}-${Env}-${Bucket}-${Bucket.Arn}-${Db.Endpoint.Address}-${!Literal}-$x-${AWS::Region}"}`,
			`"demo-prod-my-bucket-arn:aws:s3:::my-bucket-db.local-${Literal}-$x-us-east-1"`, noErr, ""},
		{"sub with variables", `{"Fn::Sub": ["${Name}-${Env}-${N}", {"Name": {"Fn::Join": ["-", ["x", "y"]]}, "N": 7}]}`, `"x-y-prod-7"`, noErr, ""},
		{"sub variable shadows parameter", `{"Fn::Sub": ["${Env}", {"Env": "local"}]}`, `"local"`, noErr, ""},
		{"sub list value", `{"Fn::Sub": "${Subnets}"}`, ``, formatErr, "Template error: variable Subnets in Fn::Sub expression does not resolve to a string"},
		{"sub undefined", `{"Fn::Sub": "x-${Nope}"}`, ``, formatErr, "Unresolved resource dependencies [Nope] in the Resources block of the template"},
		{"sub undefined resource attribute", `{"Fn::Sub": "x-${Nope.Arn}"}`, ``, formatErr, "Unresolved resource dependencies [Nope]"},
		{"sub bad name", `{"Fn::Sub": "${a-b}"}`, ``, formatErr, "Template error: variable names in Fn::Sub syntax must contain only alphanumeric characters, underscores, periods, and colons"},
		{"sub bad arguments", `{"Fn::Sub": [1]}`, ``, formatErr, "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments."},
		// Fn::Join
		{"join", `{"Fn::Join": ["-", ["a", {"Ref": "Env"}, 3, {"Ref": "AWS::NoValue"}]]}`, `"a-prod-3"`, noErr, ""},
		{"join a list function", `{"Fn::Join": [",", {"Ref": "Subnets"}]}`, `"a,b,c"`, noErr, ""},
		{"join empty", `{"Fn::Join": ["", []]}`, `""`, noErr, ""},
		{"join arity", `{"Fn::Join": ["-"]}`, ``, formatErr, "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings"},
		{"join of objects", `{"Fn::Join": ["-", [{"a": 1}]]}`, ``, formatErr, "every Fn::Join object requires two parameters"},
		// Fn::Select
		{"select string index", `{"Fn::Select": ["1", {"Ref": "Subnets"}]}`, `"b"`, noErr, ""},
		{"select number index", `{"Fn::Select": [0, ["x", "y"]]}`, `"x"`, noErr, ""},
		{"select index from ref", `{"Fn::Select": [{"Fn::Select": [0, ["2"]]}, {"Ref": "Subnets"}]}`, `"c"`, noErr, ""},
		{"select out of range", `{"Fn::Select": [5, {"Ref": "Subnets"}]}`, ``, resolveErr, "Template error: Fn::Select cannot select nonexistent value at index 5"},
		{"select negative", `{"Fn::Select": [-1, ["a"]]}`, ``, resolveErr, "Fn::Select cannot select nonexistent value at index -1"},
		{"select not an index", `{"Fn::Select": ["x", ["a"]]}`, ``, formatErr, "Fn::Select requires an integer index"},
		{"select arity", `{"Fn::Select": [0]}`, ``, formatErr, "every Fn::Select object requires two parameters"},
		// Fn::Split
		{"split", `{"Fn::Split": ["|", "a|b||c"]}`, `["a","b","","c"]`, noErr, ""},
		{"select of split of sub", `{"Fn::Select": [1, {"Fn::Split": [":", {"Fn::Sub": "${AWS::Region}:${Env}"}]}]}`, `"prod"`, noErr, ""},
		{"split arity", `{"Fn::Split": ["|"]}`, ``, formatErr, "every Fn::Split object requires two parameters"},
		{"split empty delimiter", `{"Fn::Split": ["", "abc"]}`, ``, formatErr, "every Fn::Split object requires two parameters"},
		// Fn::If
		{"if true", `{"Fn::If": ["IsProd", "yes", "no"]}`, `"yes"`, noErr, ""},
		{"if false", `{"Fn::If": ["IsDev", "yes", "no"]}`, `"no"`, noErr, ""},
		{"if novalue", `{"K": {"Fn::If": ["IsDev", "yes", {"Ref": "AWS::NoValue"}]}, "L": "x"}`, `{"L": "x"}`, noErr, ""},
		{"if only resolves its branch", `{"Fn::If": ["IsProd", {"Ref": "Bucket"}, {"Ref": "Pending"}]}`, `"my-bucket"`, noErr, ""},
		{"if undefined condition", `{"Fn::If": ["Nope", 1, 2]}`, ``, formatErr, "Template error: unresolved condition dependency Nope in Fn::If"},
		{"if arity", `{"Fn::If": ["IsProd", 1]}`, ``, formatErr, "Fn::If requires a list argument with three elements"},
		{"if with and/or conditions", `[{"Fn::If": ["Both", "b", "-"]}, {"Fn::If": ["Either", "e", "-"]}, {"Fn::If": ["InRegion", "r", "-"]}, {"Fn::If": ["ThreeSubnets", "3", "-"]}]`,
			`["b", "e", "r", "3"]`, noErr, ""},
		// Fn::FindInMap
		{"findinmap", `{"Fn::FindInMap": ["Region", {"Ref": "AWS::Region"}, "Ami"]}`, `"ami-1"`, noErr, ""},
		{"findinmap list", `{"Fn::FindInMap": ["Region", "us-east-1", "Zones"]}`, `["z1","z2"]`, noErr, ""},
		{"findinmap missing key", `{"Fn::FindInMap": ["Region", "eu-west-1", "Ami"]}`, ``, resolveErr, "Template error: Unable to get mapping for Region::eu-west-1::Ami"},
		{"findinmap missing map", `{"Fn::FindInMap": ["Nope", "a", "b"]}`, ``, formatErr, "Template error: Mapping named 'Nope' is not present in the 'Mappings' section of template."},
		{"findinmap default needs the transform", `{"Fn::FindInMap": ["Region", "x", "y", {"DefaultValue": "d"}]}`, ``, formatErr, "every Fn::FindInMap object requires three parameters"},
		// Fn::Base64, Fn::GetAZs, Fn::ImportValue, Fn::Cidr
		{"base64", `{"Fn::Base64": {"Fn::Sub": "hi ${Env}"}}`, `"aGkgcHJvZA=="`, noErr, ""},
		{"base64 of a list", `{"Fn::Base64": ["a"]}`, ``, formatErr, "Fn::Base64"},
		{"getazs", `{"Fn::GetAZs": ""}`, `["us-east-1a","us-east-1b","us-east-1c"]`, noErr, ""},
		{"getazs of ref region", `{"Fn::Select": [0, {"Fn::GetAZs": {"Ref": "AWS::Region"}}]}`, `"us-east-1a"`, noErr, ""},
		{"importvalue", `{"Fn::ImportValue": {"Fn::Sub": "Shared${!Nothing}Vpc"}}`, ``, resolveErr, "No export named Shared${Nothing}Vpc found."},
		{"importvalue found", `{"Fn::ImportValue": "SharedVpc"}`, `"vpc-1"`, noErr, ""},
		{"importvalue missing", `{"Fn::ImportValue": "Nope"}`, ``, resolveErr, "No export named Nope found."},
		{"cidr", `{"Fn::Cidr": ["10.0.0.0/16", 3, "8"]}`, `["10.0.0.0/24","10.0.1.0/24","10.0.2.0/24"]`, noErr, ""},
		{"cidr /27", `{"Fn::Cidr": ["192.168.0.0/24", 6, 5]}`, `["192.168.0.0/27","192.168.0.32/27","192.168.0.64/27","192.168.0.96/27","192.168.0.128/27","192.168.0.160/27"]`, noErr, ""},
		{"cidr ipv6", `{"Fn::Cidr": ["2001:db8::/56", 2, 64]}`, `["2001:db8::/64","2001:db8:0:1::/64"]`, noErr, ""},
		{"cidr too many", `{"Fn::Cidr": ["10.0.0.0/24", 4, 7]}`, ``, resolveErr, "cannot hold 4 subnets"},
		{"cidr arity", `{"Fn::Cidr": ["10.0.0.0/24", 4]}`, ``, formatErr, "Fn::Cidr requires three parameters"},
		// refused
		{"length needs the transform", `{"Fn::Length": [1, 2]}`, ``, formatErr, "Template format error: Encountered unsupported function: Fn::Length Supported functions are: ["},
		{"tojsonstring needs the transform", `{"Fn::ToJsonString": {"a": 1}}`, ``, formatErr, "Encountered unsupported function: Fn::ToJsonString"},
		{"unknown function", `{"Fn::Foo": 1}`, ``, formatErr, "Encountered unsupported function: Fn::Foo"},
		{"transform macro", `{"Fn::Transform": {"Name": "M"}}`, ``, formatErr, "Fn::Transform"},
		{"equals outside conditions", `{"Fn::Equals": [1, 1]}`, ``, formatErr, "Fn::Equals can only be used in the Conditions section"},
		// data that looks like a function but is not one
		{"iam condition is data", `{"Condition": {"Bool": {"aws:SecureTransport": "false"}}}`, `{"Condition": {"Bool": {"aws:SecureTransport": "false"}}}`, noErr, ""},
		{"two keys is data", `{"Ref": "Env", "Other": 1}`, `{"Ref": "Env", "Other": 1}`, noErr, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := r.Resolve(decode(t, c.in))
			switch c.kind {
			case noErr:
				require.NoError(t, err)
				assert.Equal(t, normalize(t, decode(t, c.want)), normalize(t, got))
			case formatErr:
				var fe *cfnengine.FormatError
				require.True(t, errors.As(err, &fe), "want a *FormatError, got %T %v", err, err)
				assert.Contains(t, err.Error(), c.err)
			case resolveErr:
				var re *cfnengine.ResolveError
				require.True(t, errors.As(err, &re), "want a *ResolveError, got %T %v", err, err)
				assert.Contains(t, err.Error(), c.err)
			}
		})
	}
}

// normalize makes json.Number and plain numbers compare equal.
func normalize(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

func TestLanguageExtensions(t *testing.T) {
	r := newResolver(t, baseTemplate)
	r.LanguageExtensions = true
	got, err := r.Resolve(decode(t, `{"N": {"Fn::Length": {"Ref": "Subnets"}}, "J": {"Fn::ToJsonString": {"b": [1, {"Ref": "Env"}], "a": true}},
		"D": {"Fn::FindInMap": ["Region", "eu-west-1", "Ami", {"DefaultValue": {"Ref": "Env"}}]}}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"N": json.Number("3"), "J": `{"a":true,"b":[1,"prod"]}`, "D": "prod"}, got)

	tmpl, err := cfnengine.Parse([]byte(`{"Transform": ["AWS::LanguageExtensions", {"Name": "AWS::Include"}], "Resources": {"A": {"Type": "T", "Properties": {"N": {"Fn::Length": [1]}}}}}`))
	require.NoError(t, err)
	tr, err := cfnengine.DeclaredTransforms([]byte(`{"Transform": ["AWS::LanguageExtensions", {"Name": "AWS::Include"}], "Resources": {}}`))
	require.NoError(t, err)
	assert.Equal(t, []string{"AWS::LanguageExtensions", "AWS::Include"}, tr)
	tr, err = cfnengine.DeclaredTransforms([]byte("Transform: AWS::LanguageExtensions\nResources:\n  A: {Type: T, Properties: {X: !Ref Y}}\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"AWS::LanguageExtensions"}, tr)
	assert.ErrorContains(t, tmpl.StaticCheck(), "Encountered unsupported function: Fn::Length")
	assert.NoError(t, tmpl.StaticCheckWith(cfnengine.CheckOptions{LanguageExtensions: true}))
}

func TestResolveDoesNotShareValues(t *testing.T) {
	r := newResolver(t, baseTemplate)
	got, err := r.Resolve(map[string]any{"L": map[string]any{"Ref": "Subnets"}})
	require.NoError(t, err)
	got.(map[string]any)["L"].([]any)[0] = "changed"
	again, err := r.Resolve(map[string]any{"L": map[string]any{"Ref": "Subnets"}})
	require.NoError(t, err)
	assert.Equal(t, []any{"a", "b", "c"}, again.(map[string]any)["L"])
}

func TestEvalConditions(t *testing.T) {
	r := newResolver(t, baseTemplate)
	assert.Equal(t, map[string]bool{"IsProd": true, "IsDev": false, "Both": true, "Either": true, "InRegion": true, "ThreeSubnets": true}, r.Conditions)

	tmpl, err := cfnengine.Parse([]byte(baseTemplate))
	require.NoError(t, err)
	params, err := cfnengine.ResolveParameters(tmpl, map[string]string{"Env": "dev", "Subnets": "a,b,x"}, nil)
	require.NoError(t, err)
	r = &cfnengine.Resolver{Template: tmpl, Parameters: params, Pseudo: cfnengine.Pseudo{Region: "us-east-1"}}
	require.NoError(t, r.EvalConditions())
	assert.Equal(t, map[string]bool{"IsProd": false, "IsDev": true, "Both": false, "Either": true, "InRegion": true, "ThreeSubnets": false}, r.Conditions)
	got, err := r.Resolve(map[string]any{"Fn::If": []any{"IsProd", map[string]any{"Ref": "DevOnly"}, "none"}})
	require.NoError(t, err)
	assert.Equal(t, "none", got)
	_, err = r.Resolve(map[string]any{"Fn::If": []any{"IsDev", map[string]any{"Ref": "DevOnly"}, "none"}})
	var re *cfnengine.ResolveError
	assert.True(t, errors.As(err, &re), "DevOnly is in the stack now, but not created: %v", err)

	// Values a condition cannot be evaluated with are errors, not false.
	params, err = cfnengine.ResolveParameters(tmpl, map[string]string{"Subnets": "a"}, nil)
	require.NoError(t, err)
	r = &cfnengine.Resolver{Template: tmpl, Parameters: params, Pseudo: cfnengine.Pseudo{Region: "us-east-1"}}
	assert.EqualError(t, r.EvalConditions(), "Template error: Fn::Select cannot select nonexistent value at index 2")
	r = &cfnengine.Resolver{Template: tmpl, Parameters: map[string]any{"Env": "prod", "Subnets": []any{"a", "b", "c"}, "Count": "1", "AttrName": "Arn"},
		Pseudo: cfnengine.Pseudo{Region: "eu-west-1"}}
	assert.EqualError(t, r.EvalConditions(), "Template error: Unable to get mapping for Region::eu-west-1::Ami")
}

func TestConditionErrors(t *testing.T) {
	res := `"Resources": {"R": {"Type": "T"}}`
	for _, c := range []struct{ name, conds, want string }{
		{"circle", `{"A": {"Condition": "B"}, "B": {"Fn::Not": [{"Condition": "A"}]}, "C": {"Fn::Equals": [1, 1]}}`,
			"Template format error: Circular dependency between conditions: [A, B]"},
		{"self", `{"A": {"Fn::Or": [{"Condition": "A"}, {"Fn::Equals": [1, 1]}]}}`, "Circular dependency between conditions: [A]"},
		{"undefined", `{"A": {"Condition": "Nope"}}`, "Unresolved condition dependency Nope in the Conditions block of the template"},
		{"resource", `{"A": {"Fn::Equals": [{"Ref": "R"}, "x"]}}`,
			"Template format error: Unresolved dependencies [R]. Cannot reference resources in the Conditions block of the template"},
		{"getatt", `{"A": {"Fn::Equals": [{"Fn::GetAtt": ["R", "Arn"]}, "x"]}}`, "Cannot reference resources in the Conditions block"},
		{"not boolean", `{"A": "true"}`, "Template format error: Conditions can only be boolean operations on parameters and other conditions"},
		{"and of one", `{"A": {"Fn::And": [{"Fn::Equals": [1, 1]}]}}`,
			"Template error: every Fn::And object requires a list of at least 2 and at most 10 boolean parameters."},
		{"or of eleven", `{"A": {"Fn::Or": [` + strings.Repeat(`{"Fn::Equals": [1, 2]},`, 10) + `{"Fn::Equals": [1, 1]}]}}`,
			"every Fn::Or object requires a list of at least 2 and at most 10 boolean parameters."},
		{"not of two", `{"A": {"Fn::Not": [{"Fn::Equals": [1, 1]}, {"Fn::Equals": [1, 1]}]}}`, "every Fn::Not object requires a list of 1 boolean parameter."},
		{"equals of one", `{"A": {"Fn::Equals": [1]}}`, "every Fn::Equals object requires a list of 2 string parameters."},
		{"if in conditions", `{"A": {"Fn::Equals": [{"Fn::If": ["A", 1, 2]}, 1]}}`, "Fn::If can only be used in the Resources and Outputs sections"},
		{"importvalue in conditions", `{"A": {"Fn::Equals": [{"Fn::ImportValue": "X"}, 1]}}`, "Template error: Cannot use Fn::ImportValue in Conditions."},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmpl, err := cfnengine.Parse([]byte(`{"Conditions": ` + c.conds + `, ` + res + `}`))
			require.NoError(t, err)
			var fe *cfnengine.FormatError
			err = tmpl.StaticCheck()
			require.True(t, errors.As(err, &fe), "StaticCheck: %T %v", err, err)
			assert.Contains(t, err.Error(), c.want)
			err = (&cfnengine.Resolver{Template: tmpl}).EvalConditions()
			require.True(t, errors.As(err, &fe), "EvalConditions: %T %v", err, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestStaticCheck(t *testing.T) {
	require.NoError(t, parse(t, baseTemplate).StaticCheck())
	for _, c := range []struct{ name, body, want string }{
		{"ref undefined", `{"Resources": {"A": {"Type": "T", "Properties": {"X": {"Ref": "Nope"}, "Y": {"Fn::Sub": "${Also}-${Nope}"}}}}}`,
			"Template format error: Unresolved resource dependencies [Also, Nope] in the Resources block of the template"},
		{"depends on undefined", `{"Resources": {"A": {"Type": "T", "DependsOn": "Gone"}}}`, "Unresolved resource dependencies [Gone] in the Resources block"},
		{"getatt undefined", `{"Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::GetAtt": ["Nope", "Arn"]}}}}}`,
			"Template error: instance of Fn::GetAtt references undefined resource Nope"},
		{"sub attribute of undefined", `{"Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::Sub": "${Nope.Arn}"}}}}}`, "Unresolved resource dependencies [Nope]"},
		{"sub local variable is fine, bad name is not", `{"Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::Sub": ["${v}${!x}${a b}", {"v": "1"}]}}}}}`,
			"variable names in Fn::Sub syntax must contain only alphanumeric characters"},
		{"unknown function", `{"Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::Nope": 1}}}}}`, "Encountered unsupported function: Fn::Nope"},
		{"join arity", `{"Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::Join": ["-", "a", "b"]}}}}}`, "every Fn::Join object requires two parameters"},
		{"join of a string", `{"Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::Join": ["-", "ab"]}}}}}`, "every Fn::Join object requires two parameters"},
		{"select literal out of range", `{"Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::Select": [5, ["a"]]}}}}}`,
			"Template error: Fn::Select cannot select nonexistent value at index 5"},
		{"if undefined condition", `{"Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::If": ["C", 1, 2]}}}}}`,
			"Template error: unresolved condition dependency C in Fn::If"},
		{"if checks both branches", `{"Conditions": {"C": {"Fn::Equals": [1, 1]}}, "Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::If": ["C", 1, {"Ref": "Nope"}]}}}}}`,
			"Unresolved resource dependencies [Nope]"},
		{"resource condition undefined", `{"Resources": {"A": {"Type": "T", "Condition": "C"}}}`,
			"Template format error: Unresolved condition dependency C in the Resources block of the template"},
		{"equals in resources", `{"Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::Equals": [1, 1]}}}}}`, "Fn::Equals can only be used in the Conditions section"},
		{"findinmap undefined mapping", `{"Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::FindInMap": ["M", "a", "b"]}}}}}`,
			"Template error: Mapping named 'M' is not present in the 'Mappings' section of template."},
		{"findinmap literal keys", `{"Mappings": {"M": {"a": {"b": "c"}}}, "Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::FindInMap": ["M", "a", "x"]}}}}}`,
			"Template error: Unable to get mapping for M::a::x"},
		{"mapping value", `{"Mappings": {"M": {"a": {"b": {"Ref": "X"}}}}, "Resources": {"A": {"Type": "T"}}}`,
			"Template format error: Every Mappings attribute must be a String or a List."},
		{"output undefined", `{"Resources": {"A": {"Type": "T"}}, "Outputs": {"O": {"Value": {"Ref": "B"}}}}`,
			"Template format error: Unresolved resource dependencies [B] in the Outputs block of the template"},
		{"output without value", `{"Resources": {"A": {"Type": "T"}}, "Outputs": {"O": {"Description": "x"}}}`, "Every Outputs member must contain a Value object"},
		{"output condition undefined", `{"Resources": {"A": {"Type": "T"}}, "Outputs": {"O": {"Value": "x", "Condition": "C"}}}`,
			"Unresolved condition dependency C in the Outputs block of the template"},
		{"parameter type", `{"Parameters": {"P": {"Type": "Foo"}}, "Resources": {"A": {"Type": "T"}}}`,
			"Template format error: Unrecognized parameter type: Foo"},
		{"parameter name", `{"Parameters": {"my-param": {"Type": "String"}}, "Resources": {"A": {"Type": "T"}}}`, "Parameter name my-param is non alphanumeric."},
		{"parameter default", `{"Parameters": {"P": {"Type": "String", "Default": {"Ref": "X"}}}, "Resources": {"A": {"Type": "T"}}}`, "Every Default member must be a string."},
		{"getatt arity", `{"Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::GetAtt": ["A"]}}}}}`, "every Fn::GetAtt object requires two non-empty parameters"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := parse(t, c.body).StaticCheck()
			var fe *cfnengine.FormatError
			require.True(t, errors.As(err, &fe), "%T %v", err, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	// Names AWS accepts: pseudo parameters, parameters, resources, SSM
	// and EC2 parameter types (refused later, when given values).
	require.NoError(t, parse(t, `{"Parameters": {"P": {"Type": "String"}, "V": {"Type": "AWS::EC2::VPC::Id"}, "S": {"Type": "AWS::SSM::Parameter::Value<String>"}},
		"Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::Sub": "${P}${AWS::Region}${B.Arn}${B}"}, "Y": {"Fn::GetAtt": "B.Endpoint.Address"}}}, "B": {"Type": "T"}},
		"Outputs": {"O": {"Value": {"Ref": "A"}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-A"}}}}}`).StaticCheck())
}

func parse(t *testing.T, body string) *cfnengine.Template {
	t.Helper()
	tmpl, err := cfnengine.Parse([]byte(body))
	require.NoError(t, err)
	return tmpl
}

// The five templates the generator emits resolve fully: no intrinsic
// function is left in any property or output.
func TestTheFiveTemplatesResolve(t *testing.T) {
	files, err := filepath.Glob("../../../gen/testdata/*.template.json")
	require.NoError(t, err)
	require.Len(t, files, 5)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			require.NoError(t, err)
			tmpl, err := cfnengine.Parse(body)
			require.NoError(t, err)
			require.NoError(t, tmpl.StaticCheck())
			given := map[string]string{}
			for name, p := range tmpl.Parameters {
				if _, ok := p["Default"]; !ok {
					given[name] = map[string]string{"StatusUrl": "https://example.com/status", "NotificationEmail": "ops@example.com",
						"SiteUrl": "https://example.com"}[name]
					if given[name] == "" {
						given[name] = "value-" + name
					}
				}
			}
			params, err := cfnengine.ResolveParameters(tmpl, given, nil)
			require.NoError(t, err)
			r := &cfnengine.Resolver{Template: tmpl, Parameters: params,
				Pseudo: cfnengine.Pseudo{StackName: "demo", StackID: "id", Region: "us-east-1", AccountID: "123456789012", Partition: "aws", URLSuffix: "amazonaws.com"},
				Resource: func(id string) (any, map[string]any, bool) {
					if tmpl.Resources[id] == nil {
						return nil, nil, false
					}
					return "phys-" + id, map[string]any{"Arn": "arn:aws:fake:us-east-1:123456789012:" + id, "RootResourceId": "root-" + id}, true
				}}
			require.NoError(t, r.EvalConditions())
			for _, name := range tmpl.Names() {
				got, err := r.Resolve(tmpl.Resources[name].Properties)
				require.NoError(t, err, name)
				assertResolved(t, got, name)
			}
			for name, o := range tmpl.Outputs {
				got, err := r.ResolveOutput(o.(map[string]any)["Value"])
				require.NoError(t, err, name)
				assertResolved(t, got, name)
				s, ok := got.(string)
				require.True(t, ok, "output %s is a string: %v", name, got)
				assert.True(t, strings.HasPrefix(s, "phys-") || strings.HasPrefix(s, "https://phys-"), "output %s = %s", name, s)
				if strings.HasPrefix(s, "https://") {
					assert.Contains(t, s, ".execute-api.us-east-1.amazonaws.com/")
				}
			}
		})
	}
}

func assertResolved(t *testing.T, v any, where string) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k := range x {
				assert.False(t, k == "Ref" || strings.HasPrefix(k, "Fn::"), "%s: %s left unresolved", where, k)
			}
		}
		for _, e := range x {
			assertResolved(t, e, where)
		}
	case []any:
		for _, e := range x {
			assertResolved(t, e, where)
		}
	case string:
		assert.NotContains(t, x, "${AWS::", where)
	}
}

func TestResolveBoundsItsWork(t *testing.T) {
	// Each level doubles the string: 40 levels would be a terabyte.
	v := any("xxxxxxxxxxxxxxxx")
	for range 40 {
		v = map[string]any{"Fn::Sub": []any{"${a}${a}", map[string]any{"a": v}}}
	}
	r := newResolver(t, baseTemplate)
	_, err := r.Resolve(v)
	assert.ErrorContains(t, err, "too large")

	deep := any("x")
	for range 1000 {
		deep = []any{deep}
	}
	_, err = r.Resolve(deep)
	assert.ErrorContains(t, err, "nested too deeply")
	deepTmpl := parse(t, `{"Resources": {"A": {"Type": "T", "Properties": {"X": `+strings.Repeat("[", 500)+strings.Repeat("]", 500)+`}}}}`)
	assert.ErrorContains(t, deepTmpl.StaticCheck(), "nested too deeply")

	_, err = r.Resolve(map[string]any{"Fn::Split": []any{",", strings.Repeat(",", 1<<17)}})
	assert.ErrorContains(t, err, "Fn::Split would make more than")
}

func FuzzResolve(f *testing.F) {
	f.Add([]byte(baseTemplate))
	f.Add([]byte(yamlTemplate))
	f.Add([]byte("Conditions:\n  C: !Equals [!Select [0, !Split [',', !Sub '${AWS::Region},x']], us-east-1]\nResources:\n  A:\n    Type: T\n    Properties:\n      X: !If [C, !Join ['-', !GetAZs ''], !Ref AWS::NoValue]\n      Y: !Cidr ['10.0.0.0/16', 2, 8]\n      Z: !FindInMap [M, a, b]\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		tmpl, err := cfnengine.Parse(body)
		if err != nil {
			return
		}
		_ = tmpl.StaticCheck()
		_ = cfnengine.NoEchoParameters(tmpl)
		_, _ = cfnengine.DeclaredTransforms(body)
		given := map[string]string{}
		for name, p := range tmpl.Parameters {
			if _, ok := p["Default"]; !ok {
				given[name] = "1"
			}
		}
		params, _ := cfnengine.ResolveParameters(tmpl, given, nil)
		r := &cfnengine.Resolver{Template: tmpl, Parameters: params, LanguageExtensions: len(body)%2 == 0,
			Resource: func(id string) (any, map[string]any, bool) {
				return id, map[string]any{"Arn": "arn:" + id, "A": map[string]any{"B": []any{"x"}}}, tmpl.Resources[id] != nil
			},
			Export: func(name string) (string, bool) { return name, len(name)%2 == 0 }}
		_ = r.EvalConditions()
		for _, name := range tmpl.Names() {
			_, _ = r.Resolve(tmpl.Resources[name].Properties)
		}
		for _, o := range tmpl.Outputs {
			_, _ = r.ResolveOutput(o)
		}
	})
}
