package cfncheck_test

import (
	"fmt"

	"github.com/stepforge/stepforge/pkg/cfncheck"
)

func ExampleCheck() {
	template := []byte(`{
  "Resources": {
    "Orders": {"Type": "AWS::SNS::Topic"},
    "Bake": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Role": "",
        "Code": {"ZipFile": "x"},
        "Environment": {"Variables": {"TOPIC": {"Fn::GetAtt": ["Orders", "Arn"]}}}
      }
    }
  }
}`)
	for _, p := range cfncheck.Check(template) {
		fmt.Println(p)
	}
	// Output:
	// Resources.Bake.Properties.Environment.Variables.TOPIC.Fn::GetAtt: AWS::SNS::Topic has no attribute "Arn" (it has TopicArn, TopicName)
	// Resources.Bake.Properties.Role: empty string: CloudFormation rejects it, and it is what goformation emits for a required string field left unset
}

func ExampleStats() {
	template := []byte(`{
  "Resources": {
    "Orders": {"Type": "AWS::SNS::Topic"},
    "Role": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
          {"Effect": "Allow", "Action": "sns:Publish", "Resource": {"Ref": "Orders"}},
          {"Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"}
        ]}}]
      }
    }
  }
}`)
	counts, err := cfncheck.Stats(template)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d resources, %d statements, %d on \"*\"\n", counts.Resources, counts.Statements, counts.WildcardResourceStatements)
	// Output: 2 resources, 2 statements, 1 on "*"
}
