package deploy

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGeneratedTemplateRetainsItsUploadsBucket(t *testing.T) {
	body, err := os.ReadFile("../../gen/testdata/upload-alarm.template.json")
	require.NoError(t, err)
	tpl, err := parseTemplate(body)
	require.NoError(t, err)
	assert.Equal(t, []string{"UploadsBucket"}, tpl.retained())
	assert.Contains(t, tpl.Parameters, "ProcessUploadCodeKey")
	assert.NotNil(t, tpl.Parameters["UploadRetentionDays"].Default)
	assert.Nil(t, tpl.Parameters["NotificationEmail"].Default)
}

func TestYAMLTemplateWithShortFormTags(t *testing.T) {
	tpl, err := parseTemplate([]byte(`
Parameters:
  Secret: {Type: String, NoEcho: "true"}
  Name: {Type: String, Default: x}
Resources:
  Data:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    Properties:
      BucketName: !Sub "${Name}-data"
      Tags: [{Key: k, Value: !Ref Name}]
  Topic:
    Type: AWS::SNS::Topic
    DeletionPolicy: Delete
`))
	require.NoError(t, err)
	assert.True(t, tpl.Parameters["Secret"].noEcho())
	assert.False(t, tpl.Parameters["Name"].noEcho())
	assert.Equal(t, []string{"Data"}, tpl.retained())
}
