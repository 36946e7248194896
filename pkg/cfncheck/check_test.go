package cfncheck

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMalformedTemplatesAreReported(t *testing.T) {
	runCases(t, []checkCase{
		{"NotJSON", []byte(`{"Resources":`), []want{{"", "not valid JSON"}}},
		{"TrailingData", []byte(`{"Resources":{}} {}`), []want{{"", "data after the top-level object"}}},
		{"NotAnObject", []byte(`[]`), []want{{"", "not a JSON object"}}},
		{"WrongFormatVersion", []byte(`{"AWSTemplateFormatVersion":"2012-10-17","Resources":{` + topic + `}}`),
			[]want{{"AWSTemplateFormatVersion", `must be "2010-09-09"`}}},
		{"NoResources", []byte(`{"Resources":{}}`), []want{{"Resources", "at least one resource"}}},
		{"MissingResources", []byte(`{"Outputs":{}}`), []want{{"Resources", "at least one resource"}}},
		{"ResourcesNotAnObject", []byte(`{"Resources":[]}`), []want{{"Resources", "must be an object"}}},
		{"UnknownSection", []byte(`{"Resource":{},"Resources":{` + topic + `}}`), []want{{"Resource", "unknown top-level section"}}},
		{"Transform", []byte(`{"Transform":"AWS::Serverless-2016-10-31","Resources":{` + topic + `}}`),
			[]want{{"Transform", "plain CloudFormation"}}},
		{"ResourceWithoutType", stack(`"Topic": {"Properties": {}}`), []want{{"Resources.Topic.Type", "needs a Type"}}},
		{"LowercaseProperties", stack(`"Topic": {"Type": "AWS::SNS::Topic", "properties": {}}`),
			[]want{{"Resources.Topic.properties", "unknown resource attribute"}}},
		{"LogicalIDWithDash", stack(`"Order-Topic": {"Type": "AWS::SNS::Topic"}`),
			[]want{{"Resources.Order-Topic", "alphanumeric"}}},
		{"LogicalIDTooLong", stack(`"` + strings.Repeat("T", 256) + `": {"Type": "AWS::SNS::Topic"}`),
			[]want{{"Resources." + strings.Repeat("T", 256), "limit is 255"}}},
		{"UnknownResourceType", stack(`"Table": {"Type": "AWS::DynamoDB::Table"}`),
			[]want{{"Resources.Table.Type", "add its Fn::GetAtt attributes to the table"}}},
		{"ParameterAndResourceShareAnID", stack(`"Stage": {"Type": "AWS::SNS::Topic"}`),
			[]want{{"Parameters.Stage", "Ref \"Stage\" is ambiguous"}}},
		{"BadDeletionPolicy", stack(`"Topic": {"Type": "AWS::SNS::Topic", "DeletionPolicy": "Keep"}`),
			[]want{{"Resources.Topic.DeletionPolicy", "must be one of"}}},
		{"OutputWithoutValue", []byte(`{"Resources":{` + topic + `},"Outputs":{"Arn":{"Description":"x"}}}`),
			[]want{{"Outputs.Arn.Value", "needs a Value"}}},
	})
}

func TestDanglingReferencesAreReported(t *testing.T) {
	runCases(t, []checkCase{
		{"RefToNothing", stack(`"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Ref": "Nope"}}}`),
			[]want{{"Resources.Topic.Properties.DisplayName.Ref", `Ref "Nope" names no parameter, resource or pseudo parameter`}}},
		{"RefToUnknownPseudoParameter", stack(`"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Ref": "AWS::Account"}}}`),
			[]want{{"Resources.Topic.Properties.DisplayName.Ref", "not a pseudo parameter"}}},
		{"GetAttOfWrongAttribute", stack(topic + `, "Sub": {"Type": "AWS::SNS::Subscription", "Properties": {"Protocol": "sqs", "Endpoint": "arn:aws:sqs:eu-west-1:123456789012:q", "TopicArn": {"Fn::GetAtt": ["Topic", "Arn"]}}}`),
			[]want{{"Resources.Sub.Properties.TopicArn.Fn::GetAtt", `AWS::SNS::Topic has no attribute "Arn" (it has TopicArn, TopicName)`}}},
		{"GetAttStringFormOfWrongAttribute", stack(topic + `, "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": "Topic.Name"}}}`),
			[]want{{"Resources.Queue.Properties.QueueName.Fn::GetAtt", `has no attribute "Name"`}}},
		{"GetAttOfUnknownResource", stack(`"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": ["Ghost", "Arn"]}}}`),
			[]want{{"Resources.Queue.Properties.QueueName.Fn::GetAtt", `"Ghost", which is not a resource`}}},
		{"GetAttOfParameter", stack(`"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": ["Stage", "Arn"]}}}`),
			[]want{{"Resources.Queue.Properties.QueueName.Fn::GetAtt", `"Stage" is a parameter`}}},
		{"GetAttOfTypeWithoutAttributes", stack(`"Alias": {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": "alias/a", "TargetKeyId": "k"}},
			"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": ["Alias", "Arn"]}}}`),
			[]want{{"Resources.Queue.Properties.QueueName.Fn::GetAtt", "AWS::KMS::Alias has no Fn::GetAtt attributes; use Ref"}}},
		{"SubWithUnknownVariable", stack(`"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Sub": "${Stage}-${Flavour}"}}}`),
			[]want{{"Resources.Topic.Properties.DisplayName.Fn::Sub", `${Flavour}: Ref "Flavour" names no parameter`}}},
		{"SubWithWrongAttribute", stack(topic + `, "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": ["${Topic.Arn}-${Size}", {"Size": "L"}]}}}`),
			[]want{{"Resources.Queue.Properties.QueueName.Fn::Sub[0]", `${Topic.Arn}: AWS::SNS::Topic has no attribute "Arn"`}}},
		{"DependsOnUnknownResource", stack(topic + `, "Queue": {"Type": "AWS::SQS::Queue", "DependsOn": ["Topic", "Ghost"]}`),
			[]want{{"Resources.Queue.DependsOn[1]", `"Ghost", which is not a resource`}}},
		{"DependsOnItself", stack(`"Queue": {"Type": "AWS::SQS::Queue", "DependsOn": "Queue"}`),
			[]want{{"Resources.Queue.DependsOn", "cannot depend on itself"}}},
		{"IfWithUnknownCondition", stack(`"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::If": ["IsStaging", "s", {"Ref": "AWS::NoValue"}]}}}`),
			[]want{{"Resources.Topic.Properties.DisplayName.Fn::If[0]", `condition "IsStaging" is not declared`}}},
		{"ResourceConditionUnknown", stack(`"Topic": {"Type": "AWS::SNS::Topic", "Condition": "IsStaging"}`),
			[]want{{"Resources.Topic.Condition", `condition "IsStaging" is not declared`}}},
		{"FindInMapOfUnknownMapping", stack(`"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": {"Fn::FindInMap": ["Delays", "prod", "Seconds"]}}}`),
			[]want{{"Resources.Queue.Properties.DelaySeconds.Fn::FindInMap[0]", `mapping "Delays" is not declared`}}},
		{"ConditionReferencingResource", []byte(`{"Conditions":{"HasTopic":{"Fn::Equals":[{"Ref":"Topic"},"x"]}},"Resources":{` + topic + `}}`),
			[]want{{"Conditions.HasTopic.Fn::Equals[0].Ref", "conditions can reference parameters only"}}},
		{"ConditionFunctionOutsideConditions", stack(`"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Equals": ["a", "b"]}}}`),
			[]want{{"Resources.Topic.Properties.DisplayName.Fn::Equals", "belongs in the Conditions section"}}},
		{"TransformOnlyFunction", stack(`"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::ToJsonString": {"a": 1}}}}`),
			[]want{{"Resources.Topic.Properties.DisplayName.Fn::ToJsonString", "unknown intrinsic function"}}},
		{"OutputRefToNothing", []byte(`{"Resources":{` + topic + `},"Outputs":{"Arn":{"Value":{"Ref":"Topik"}}}}`),
			[]want{{"Outputs.Arn.Value.Ref", `Ref "Topik" names no parameter`}}},
		{"OutputExportSubToNothing", []byte(`{"Resources":{` + topic + `},"Outputs":{"Arn":{"Value":{"Ref":"Topic"},"Export":{"Name":{"Fn::Sub":"${AWS::StackName}-${Env}"}}}}}`),
			[]want{{"Outputs.Arn.Export.Name.Fn::Sub", `${Env}: Ref "Env" names no parameter`}}},
	})
}

func TestValidReferencesAreAccepted(t *testing.T) {
	runCases(t, []checkCase{
		{"SubEscapeIsNotAReference", stack(`"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Sub": "${!Literal} in ${AWS::Region}"}}}`), nil},
		{"SubVariablesMapIsHonoured", stack(`"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Sub": ["${Flavour}-${Stage}", {"Flavour": {"Ref": "AWS::StackName"}}]}}}`), nil},
		{"SubOfResourceAttribute", stack(topic + `, "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${Topic.TopicName}-dlq"}}}`), nil},
		{"EveryPseudoParameter", stack(`"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Join": ["", [
			{"Ref": "AWS::AccountId"}, {"Ref": "AWS::Partition"}, {"Ref": "AWS::Region"}, {"Ref": "AWS::StackId"},
			{"Ref": "AWS::StackName"}, {"Ref": "AWS::URLSuffix"}, {"Fn::Select": [0, {"Ref": "AWS::NotificationARNs"}]}]]}}}`), nil},
		{"NestedAttributeName", stack(`"Bucket": {"Type": "AWS::S3::Bucket"},
			"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": ["Bucket", "MetadataTableConfiguration.S3TablesDestination.TableArn"]}}}`), nil},
		{"CustomResourceAttributesAreOpen", stack(`"Seed": {"Type": "Custom::Seed", "Properties": {"ServiceToken": "arn:aws:lambda:eu-west-1:123456789012:function:seed"}},
			"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": ["Seed", "Anything"]}}}`), nil},
		{"IfWithNoValue", stack(`"Topic": {"Type": "AWS::SNS::Topic", "Condition": "IsProd", "Properties": {"DisplayName": {"Fn::If": ["IsProd", {"Fn::FindInMap": ["Sizes", "prod", "Memory"]}, {"Ref": "AWS::NoValue"}]}}}`), nil},
		{"JoinWithEmptyDelimiter", stack(`"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Join": ["", ["a", {"Ref": "Stage"}]]}}}`), nil},
	})
}

func TestZeroValuesAreReported(t *testing.T) {
	runCases(t, []checkCase{
		{"EmptyStringProperty", stack(`"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": ""}}`),
			[]want{{"Resources.Queue.Properties.QueueName", "empty string"}}},
		{"EmptyStringDeepInAList", stack(`"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"Tags": [{"Key": "team", "Value": ""}]}}`),
			[]want{{"Resources.Topic.Properties.Tags[0].Value", "empty string"}}},
		{"EmptyObjectProperty", stack(`"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"PublicAccessBlockConfiguration": {}}}`),
			[]want{{"Resources.Bucket.Properties.PublicAccessBlockConfiguration", "empty object"}}},
		{"EmptyListProperty", stack(`"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"Subscription": []}}`),
			[]want{{"Resources.Topic.Properties.Subscription", "empty list"}}},
		{"NullFromALiteralIntrinsicMap", stack(`"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": null}}`),
			[]want{{"Resources.Topic.Properties.DisplayName", "null is not allowed"}}},
		{"EmptyOutputValue", []byte(`{"Resources":{` + topic + `},"Outputs":{"Arn":{"Value":""}}}`),
			[]want{{"Outputs.Arn.Value", "empty string"}}},
	})
}

func TestMalformedIntrinsicsAreReported(t *testing.T) {
	const p = "Resources.Topic.Properties.DisplayName"
	prop := func(v string) []byte {
		return stack(`"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": ` + v + `}}`)
	}
	runCases(t, []checkCase{
		{"RefOfNumber", prop(`{"Ref": 1}`), []want{{p + ".Ref", "Ref takes a logical id string"}}},
		{"GetAttEmptyList", prop(`{"Fn::GetAtt": []}`), []want{{p + ".Fn::GetAtt", "takes [resource, attribute]"}}},
		{"GetAttWithoutDot", prop(`{"Fn::GetAtt": "Topic"}`), []want{{p + ".Fn::GetAtt", "Resource.Attribute"}}},
		{"SubOfNumber", prop(`{"Fn::Sub": 3}`), []want{{p + ".Fn::Sub", "takes a string or [string, {variables}]"}}},
		{"SubWithoutVariablesMap", prop(`{"Fn::Sub": ["${Stage}"]}`), []want{{p + ".Fn::Sub", "takes a string or [string, {variables}]"}}},
		{"IfWithTwoArguments", prop(`{"Fn::If": ["IsProd", "a"]}`), []want{{p + ".Fn::If", "takes [condition, value if true, value if false]"}}},
		{"IntrinsicWithSiblingKey", prop(`{"Ref": "Stage", "Extra": "x"}`), []want{{p, "must have Ref as its only key"}}},
	})
}

func FuzzCheckNeverPanics(f *testing.F) {
	for _, name := range []string{"pizza.json", "goformation-clean.json", "goformation-traps.json"} {
		b, err := os.ReadFile("testdata/" + name)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add(rolePolicy(`{"Effect": "Allow", "Action": [], "Resource": {"Fn::If": []}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		Check(b)
		_, _ = Stats(b)
	})
}

func TestPizzaStackIsClean(t *testing.T) {
	b, err := os.ReadFile("testdata/pizza.json")
	require.NoError(t, err)
	assert.Empty(t, Check(b))
	assert.NoError(t, Validate(b))
}

func TestValidateReturnsEveryProblem(t *testing.T) {
	err := Validate(stack(`"Queue": {"Type": "AWS::SQS::Queue", "DependsOn": "Ghost", "Properties": {"QueueName": ""}}`))
	var cerr *Error
	require.ErrorAs(t, err, &cerr)
	require.Len(t, cerr.Problems, 2)
	assert.Contains(t, err.Error(), "Resources.Queue.DependsOn: DependsOn names \"Ghost\"")
	assert.Contains(t, err.Error(), "Resources.Queue.Properties.QueueName: empty string")
}
