package cfnengine_test

import (
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

const paramsTemplate = `{
 "Parameters": {
  "Env": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]},
  "Stage": {"Type": "String", "Default": "beta", "AllowedValues": ["beta", "gamma"], "ConstraintDescription": "must be beta or gamma"},
  "Name": {"Type": "String", "Default": "abc", "AllowedPattern": "[a-z]+", "MinLength": 3, "MaxLength": "5"},
  "Port": {"Type": "Number", "Default": 8080, "MinValue": 1024, "MaxValue": "65535"},
  "Ports": {"Type": "List<Number>", "Default": "80, 443"},
  "Zones": {"Type": "CommaDelimitedList", "Default": "a,b", "AllowedValues": ["a", "b", "c"]},
  "Secret": {"Type": "String", "NoEcho": true, "Default": ""},
  "Token": {"Type": "String", "NoEcho": "true", "Default": "t"},
  "Plain": {"Type": "String", "NoEcho": "false", "Default": "p"}
 },
 "Resources": {"A": {"Type": "T"}}
}`

func TestParameterDefaultsAndTypes(t *testing.T) {
	tmpl := parse(t, paramsTemplate)
	got, err := cfnengine.ResolveParameters(tmpl, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"Env": "dev", "Stage": "beta", "Name": "abc", "Port": "8080", "Ports": []any{"80", "443"},
		"Zones": []any{"a", "b"}, "Secret": "", "Token": "t", "Plain": "p"}, got)

	got, err = cfnengine.ResolveParameters(tmpl, map[string]string{"Env": "prod", "Zones": "c", "Ports": "1,2,3"},
		func(name string) (string, bool) {
			if name == "Name" || name == "Env" {
				return "xyz", true
			}
			return "", false
		})
	require.NoError(t, err)
	assert.Equal(t, "prod", got["Env"], "a given value wins")
	assert.Equal(t, "xyz", got["Name"], "the previous value wins over the default")
	assert.Equal(t, []any{"c"}, got["Zones"])
	assert.Equal(t, []any{"1", "2", "3"}, got["Ports"])

	assert.Equal(t, []string{"Secret", "Token"}, cfnengine.NoEchoParameters(tmpl))
}

func TestParameterErrors(t *testing.T) {
	tmpl := parse(t, paramsTemplate)
	for _, c := range []struct {
		name  string
		given map[string]string
		want  string
	}{
		{"unknown", map[string]string{"Zed": "1", "Nope": "2"}, "Parameters: [Nope, Zed] do not exist in the template"},
		{"allowed values", map[string]string{"Env": "test"}, "Parameter 'Env' must be one of AllowedValues"},
		{"constraint description", map[string]string{"Stage": "prod"}, "Parameter Stage failed to satisfy constraint: must be beta or gamma"},
		{"pattern is anchored", map[string]string{"Name": "abc1"}, "Parameter 'Name' must match pattern [a-z]+"},
		{"min length", map[string]string{"Name": "ab"}, "Parameter 'Name' must contain at least 3 characters"},
		{"max length", map[string]string{"Name": "abcdef"}, "Parameter 'Name' must contain at most 5 characters"},
		{"number", map[string]string{"Port": "eighty"}, "Parameter 'Port' must be a number"},
		{"min value", map[string]string{"Port": "80"}, "Parameter 'Port' must be a number not less than 1024"},
		{"max value", map[string]string{"Port": "70000"}, "Parameter 'Port' must be a number not greater than 65535"},
		{"list of numbers", map[string]string{"Ports": "80,http"}, "Parameter 'Ports' must be a number"},
		{"list members are checked", map[string]string{"Zones": "a,d"}, "Parameter 'Zones' must be one of AllowedValues"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := cfnengine.ResolveParameters(tmpl, c.given, nil)
			var re *cfnengine.ResolveError
			require.True(t, errors.As(err, &re), "%T %v", err, err)
			assert.EqualError(t, err, c.want)
		})
	}
}

func TestParametersWithoutValues(t *testing.T) {
	tmpl := parse(t, `{"Parameters": {"B": {"Type": "String"}, "A": {"Type": "Number"}, "C": {"Type": "String", "Default": "c"}}, "Resources": {"R": {"Type": "T"}}}`)
	_, err := cfnengine.ResolveParameters(tmpl, nil, nil)
	assert.EqualError(t, err, "Parameters: [A, B] must have values")
	_, err = cfnengine.ResolveParameters(tmpl, map[string]string{"A": "1"}, func(string) (string, bool) { return "", false })
	assert.EqualError(t, err, "Parameters: [B] must have values")
	got, err := cfnengine.ResolveParameters(tmpl, map[string]string{"A": "1", "B": ""}, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"A": "1", "B": "", "C": "c"}, got)
}

func TestParameterTypesRefused(t *testing.T) {
	for _, typ := range []string{"AWS::EC2::VPC::Id", "List<AWS::EC2::Subnet::Id>", "AWS::SSM::Parameter::Value<String>",
		"AWS::SSM::Parameter::Value<List<AWS::EC2::Image::Id>>", "AWS::SSM::Parameter::Name"} {
		t.Run(typ, func(t *testing.T) {
			tmpl := parse(t, `{"Parameters": {"P": {"Type": "`+typ+`"}}, "Resources": {"R": {"Type": "T"}}}`)
			require.NoError(t, tmpl.StaticCheck(), "a type AWS knows")
			_, err := cfnengine.ResolveParameters(tmpl, map[string]string{"P": "x"}, nil)
			var re *cfnengine.ResolveError
			require.True(t, errors.As(err, &re), "%T %v", err, err)
			assert.ErrorContains(t, err, "Parameter P is of type "+typ+", which the local cloud does not support")
		})
	}
	tmpl := parse(t, `{"Parameters": {"P": {"Type": "Strin"}}, "Resources": {"R": {"Type": "T"}}}`)
	_, err := cfnengine.ResolveParameters(tmpl, map[string]string{"P": "x"}, nil)
	var fe *cfnengine.FormatError
	require.True(t, errors.As(err, &fe), "%T %v", err, err)
	assert.EqualError(t, err, "Template format error: Unrecognized parameter type: Strin")
}

// The generator's own constraints hold as AWS applies them.
func TestRealTemplateParameterConstraints(t *testing.T) {
	body, err := os.ReadFile("../../../gen/testdata/upload-alarm.template.json")
	require.NoError(t, err)
	tmpl, err := cfnengine.Parse(body)
	require.NoError(t, err)
	given := map[string]string{"ArtifactBucket": "b", "ProcessUploadCodeKey": "k", "NotificationEmail": "ops@example.com"}
	got, err := cfnengine.ResolveParameters(tmpl, given, nil)
	require.NoError(t, err)
	assert.Equal(t, "30", got["UploadRetentionDays"])
	assert.Equal(t, "false", got["AlwaysFail"])

	given["NotificationEmail"] = "not an email"
	_, err = cfnengine.ResolveParameters(tmpl, given, nil)
	assert.EqualError(t, err, `Parameter 'NotificationEmail' must match pattern ^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	given["NotificationEmail"] = "ops@example.com"
	given["UploadRetentionDays"] = "14"
	_, err = cfnengine.ResolveParameters(tmpl, given, nil)
	assert.EqualError(t, err, "Parameter 'UploadRetentionDays' must be one of AllowedValues")
}

func TestDeclaredTransforms(t *testing.T) {
	for _, c := range []struct {
		body string
		want []string
	}{
		{`{"Resources": {}}`, nil},
		{`{"Transform": "AWS::Serverless-2016-10-31"}`, []string{"AWS::Serverless-2016-10-31"}},
		{"Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\n", []string{"AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"}},
	} {
		got, err := cfnengine.DeclaredTransforms([]byte(c.body))
		require.NoError(t, err, c.body)
		assert.Equal(t, c.want, got, c.body)
	}
	_, err := cfnengine.DeclaredTransforms([]byte(`{"Transform": 3}`))
	assert.Error(t, err)
}
