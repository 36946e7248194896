package deploy

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const alarmParams = `{
  "Parameters": {
    "ArtifactBucket": {"Type": "String"},
    "ProcessUploadCodeKey": {"Type": "String"},
    "NotificationEmail": {"Type": "String"},
    "UploadRetentionDays": {"Type": "Number", "Default": "30"},
    "Regions": {"Type": "CommaDelimitedList", "Default": "us-east-1"},
    "ApiToken": {"Type": "String", "NoEcho": true}
  },
  "Resources": {}
}`

func writeParams(t *testing.T, body string) *paramFile {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dev.json")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	f, err := loadParamFile(path)
	require.NoError(t, err)
	return f
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestParametersLayerDefaultsFileAndEnvironment(t *testing.T) {
	tpl, err := parseTemplate([]byte(alarmParams))
	require.NoError(t, err)
	file := writeParams(t, `{
	  "*": {"NotificationEmail": "all@example.com", "UploadRetentionDays": 7},
	  "upload-alarm": {"NotificationEmail": "ops@example.com", "Regions": ["eu-west-1", "us-east-1"]}
	}`)
	given := map[string]string{"ArtifactBucket": "bucket", "ProcessUploadCodeKey": "assets/abc.zip"}

	values, err := resolveParams("upload-alarm", tpl, file, env(map[string]string{"STEPFORGE_PARAM_ApiToken": "s3cret"}), given)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"ArtifactBucket":       "bucket",
		"ProcessUploadCodeKey": "assets/abc.zip",
		"NotificationEmail":    "ops@example.com", // the stack's section beats "*"
		"UploadRetentionDays":  "7",               // a number in the file
		"Regions":              "eu-west-1,us-east-1",
		"ApiToken":             "s3cret",
	}, values)

	values, err = resolveParams("upload-alarm", tpl, file, env(map[string]string{
		"STEPFORGE_PARAM_ApiToken":                          "s3cret",
		"STEPFORGE_PARAM_NotificationEmail":                 "env@example.com",
		"STEPFORGE_PARAM_UPLOAD_ALARM__UploadRetentionDays": "90",
		"STEPFORGE_PARAM_OTHER__Regions":                    "ap-south-1",
	}), given)
	require.NoError(t, err)
	assert.Equal(t, "env@example.com", values["NotificationEmail"], "the environment beats the file")
	assert.Equal(t, "90", values["UploadRetentionDays"], "the stack's own variable applies")
	assert.Equal(t, "eu-west-1,us-east-1", values["Regions"], "another stack's variable does not")
	assert.Equal(t, "bucket", values["ArtifactBucket"], "what the deployer supplies is not overridden")
}

func TestNoEchoParameterInTheFileIsRefused(t *testing.T) {
	tpl, err := parseTemplate([]byte(alarmParams))
	require.NoError(t, err)
	file := writeParams(t, `{"*": {"ApiToken": "oops"}, "upload-alarm": {"NotificationEmail": "a@b.c"}}`)
	_, err = resolveParams("upload-alarm", tpl, file, env(nil), map[string]string{"ArtifactBucket": "b", "ProcessUploadCodeKey": "k"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "parameter ApiToken is NoEcho and must not be in "+file.path)
	assert.Contains(t, err.Error(), "STEPFORGE_PARAM_ApiToken")
}

func TestMissingParameterIsNamedWithWhereToSetIt(t *testing.T) {
	tpl, err := parseTemplate([]byte(alarmParams))
	require.NoError(t, err)
	file, err := loadParamFile(filepath.Join(t.TempDir(), "absent.json"))
	require.NoError(t, err, "a missing file holds no values")
	_, err = resolveParams("upload-alarm", tpl, file, env(nil), map[string]string{"ArtifactBucket": "b", "ProcessUploadCodeKey": "k"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "stack upload-alarm: parameter NotificationEmail has no value: set it in "+file.path+" or STEPFORGE_PARAM_NotificationEmail")
	assert.Contains(t, err.Error(), "stack upload-alarm: parameter ApiToken has no value: set it in STEPFORGE_PARAM_ApiToken (NoEcho: from the environment only)")
	assert.NotContains(t, err.Error(), "UploadRetentionDays", "a parameter with a default needs no value")
}

func TestStackSectionNamingAnUndeclaredParameterIsAnError(t *testing.T) {
	tpl, err := parseTemplate([]byte(alarmParams))
	require.NoError(t, err)
	file := writeParams(t, `{"*": {"Unrelated": "x"}, "upload-alarm": {"NotificationEmail": "a@b.c", "Typo": "x"}}`)
	_, err = resolveParams("upload-alarm", tpl, file, env(map[string]string{"STEPFORGE_PARAM_ApiToken": "t"}), map[string]string{"ArtifactBucket": "b", "ProcessUploadCodeKey": "k"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sets parameter Typo, which the template does not declare")
	assert.NotContains(t, err.Error(), "Unrelated", `"*" applies only to stacks that declare the parameter`)
}

func TestParamsFileThatIsNotObjectsOfValuesIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dev.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"pizza": ["a"]}`), 0o644))
	_, err := loadParamFile(path)
	assert.ErrorContains(t, err, path)
	require.NoError(t, os.WriteFile(path, []byte(`{"pizza": {"A": {"nested": 1}}}`), 0o644))
	_, err = loadParamFile(path)
	assert.ErrorContains(t, err, "pizza.A")
}

func TestEnvStackName(t *testing.T) {
	assert.Equal(t, "BLOG_PUBLISHING", envStackName("blog-publishing"))
	assert.Equal(t, "RETRY_ON_500", envStackName("retry-on-500"))
}
