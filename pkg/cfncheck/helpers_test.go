package cfncheck

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// want is one expected problem: its exact path and a fragment of its message.
type want struct{ path, message string }

type checkCase struct {
	name     string
	template []byte
	want     []want // empty: the template must come back clean
}

func runCases(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Check(tc.template)
			require.Len(t, got, len(tc.want), "problems: %v", got)
			for i, w := range tc.want {
				assert.Equal(t, w.path, got[i].Path)
				assert.Contains(t, got[i].Message, w.message)
			}
		})
	}
}

// stack wraps resource declarations in a template with one parameter (Stage), one
// condition (IsProd) and one mapping (Sizes) for them to reference.
func stack(resources string) []byte {
	return []byte(`{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {"Stage": {"Type": "String"}},
  "Mappings": {"Sizes": {"prod": {"Memory": 512}}},
  "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
  "Resources": {` + resources + `}
}`)
}

// topic is a resource to reference and to hang a property under test on.
const topic = `"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "orders"}}`

// rolePolicy is a stack with one role whose inline policy holds the given statements,
// found at Resources.AppRole.Properties.Policies[0].PolicyDocument.Statement[i].
func rolePolicy(statements string) []byte {
	return stack(topic + `, "AppRole": {"Type": "AWS::IAM::Role", "Properties": {
  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
  "Policies": [{"PolicyName": "app", "PolicyDocument": {"Version": "2012-10-17", "Statement": [` + statements + `]}}]}}`)
}

const statement0 = "Resources.AppRole.Properties.Policies[0].PolicyDocument.Statement[0]"

// kmsKey is a stack with one KMS key whose policy holds the given statements,
// found at Resources.Key.Properties.KeyPolicy.Statement[i].
func kmsKey(statements string) []byte {
	return stack(`"Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": [` + statements + `]}}}`)
}

const keyStatement0 = "Resources.Key.Properties.KeyPolicy.Statement[0]"

// stateMachine is a stack with a function and a state machine with the given
// definition properties, found under Resources.Machine.Properties.
func stateMachine(definition string) []byte {
	return stack(`"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": "arn:aws:iam::123456789012:role/fn", "Code": {"ZipFile": "x"}}},
"Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"RoleArn": "arn:aws:iam::123456789012:role/sm", ` + definition + `}}`)
}
