// Command goformation writes the goformation fixtures of the cfncheck tests: templates
// built with goformation's Go types, so that the tests see the JSON shapes it really
// emits (intrinsics decoded from its base64 strings, DependsOn lists, empty
// Properties). It lives under testdata, out of the stepforge module's package list,
// because the module does not require goformation yet. To refresh the fixtures, from a
// scratch module that requires github.com/awslabs/goformation/v7:
//
//	go run . <path to pkg/cfncheck/testdata>
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/cloudformation/lambda"
	"github.com/awslabs/goformation/v7/cloudformation/logs"
	"github.com/awslabs/goformation/v7/cloudformation/sns"
	"github.com/awslabs/goformation/v7/cloudformation/stepfunctions"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goformation <testdata dir>")
		os.Exit(2)
	}
	for name, build := range map[string]func() *cloudformation.Template{
		"goformation-clean.json": clean,
		"goformation-traps.json": traps,
	} {
		b, err := build().JSON()
		if err == nil {
			err = os.WriteFile(filepath.Join(os.Args[1], name), append(b, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, name+":", err)
			os.Exit(1)
		}
	}
}

func document(statements ...map[string]any) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": statements}
}

func trust(service string) map[string]any {
	return document(map[string]any{
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": service},
		"Action":    "sts:AssumeRole",
	})
}

// clean uses every intrinsic helper the generator is expected to use, correctly.
func clean() *cloudformation.Template {
	t := cloudformation.NewTemplate()
	t.Parameters["Stage"] = cloudformation.Parameter{Type: "String", AllowedValues: []any{"dev", "prod"}}
	t.Parameters["CodeBucket"] = cloudformation.Parameter{Type: "String"}
	t.Conditions["IsProd"] = cloudformation.Equals(cloudformation.Ref("Stage"), "prod")

	t.Resources["BakeLogGroup"] = &logs.LogGroup{
		LogGroupName:    cloudformation.SubPtr("/aws/lambda/${AWS::StackName}-bake"),
		RetentionInDays: cloudformation.Int(30),
	}
	t.Resources["BakeRole"] = &iam.Role{
		AssumeRolePolicyDocument: trust("lambda.amazonaws.com"),
		Policies: []iam.Role_Policy{{
			PolicyName: "bake",
			PolicyDocument: document(
				map[string]any{
					"Effect":   "Allow",
					"Action":   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
					"Resource": cloudformation.GetAtt("BakeLogGroup", "Arn"),
				},
				map[string]any{
					"Effect":   "Allow",
					"Action":   []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"},
					"Resource": "*",
				},
				map[string]any{
					"Effect":   "Allow",
					"Action":   "sns:Publish",
					"Resource": cloudformation.Ref("Orders"),
				},
			),
		}},
	}
	t.Resources["Orders"] = &sns.Topic{
		TopicName:   cloudformation.SubVarsPtr("${Prefix}-orders", map[string]any{"Prefix": "pizza"}),
		DisplayName: cloudformation.IfPtr("IsProd", "Pizza orders", cloudformation.Ref("AWS::NoValue")),
	}
	t.Resources["Bake"] = &lambda.Function{
		Architectures: []string{"arm64"},
		Runtime:       cloudformation.String("provided.al2023"),
		Handler:       cloudformation.String("bootstrap"),
		Code: &lambda.Function_Code{
			S3Bucket: cloudformation.RefPtr("CodeBucket"),
			S3Key:    cloudformation.JoinPtr("/", []string{"handlers", "bake.zip"}),
		},
		Role:          cloudformation.GetAtt("BakeRole", "Arn"),
		TracingConfig: &lambda.Function_TracingConfig{Mode: cloudformation.String("Active")},
		Environment: &lambda.Function_Environment{Variables: map[string]string{
			"ORDERS_TOPIC": cloudformation.Ref("Orders"),
			"REGION":       cloudformation.Select(0, cloudformation.GetAZs(cloudformation.Ref("AWS::Region"))),
		}},
		AWSCloudFormationDependsOn: []string{"BakeLogGroup"},
	}
	t.Resources["MachineLogGroup"] = &logs.LogGroup{
		LogGroupName:    cloudformation.String("/aws/vendedlogs/states/bake"),
		RetentionInDays: cloudformation.Int(30),
	}
	t.Resources["MachineRole"] = &iam.Role{
		AssumeRolePolicyDocument: trust("states.amazonaws.com"),
		Policies: []iam.Role_Policy{{
			PolicyName: "machine",
			PolicyDocument: document(
				map[string]any{
					"Effect": "Allow",
					"Action": "lambda:InvokeFunction",
					"Resource": []string{
						cloudformation.GetAtt("Bake", "Arn"),
						cloudformation.Sub("${Bake.Arn}:*"),
					},
				},
				map[string]any{
					"Effect": "Allow",
					"Action": []string{"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
						"logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
						"logs:DescribeResourcePolicies", "logs:DescribeLogGroups"},
					"Resource": "*",
				},
			),
		}},
	}
	t.Resources["Machine"] = &stepfunctions.StateMachine{
		StateMachineType: cloudformation.String("EXPRESS"),
		RoleArn:          cloudformation.GetAtt("MachineRole", "Arn"),
		DefinitionString: cloudformation.String(`{"StartAt":"Bake","States":{"Bake":{"Type":"Task","Resource":"${BakeArn}","End":true}}}`),
		DefinitionSubstitutions: map[string]any{
			"BakeArn": cloudformation.GetAtt("Bake", "Arn"),
		},
		LoggingConfiguration: &stepfunctions.StateMachine_LoggingConfiguration{
			Level: cloudformation.String("ALL"),
			Destinations: []stepfunctions.StateMachine_LogDestination{{
				CloudWatchLogsLogGroup: &stepfunctions.StateMachine_CloudWatchLogsLogGroup{
					LogGroupArn: cloudformation.GetAttPtr("MachineLogGroup", "Arn"),
				},
			}},
		},
		TracingConfiguration: &stepfunctions.StateMachine_TracingConfiguration{Enabled: cloudformation.Bool(true)},
	}
	t.Outputs["MachineArn"] = cloudformation.Output{
		Value:  cloudformation.Ref("Machine"),
		Export: &cloudformation.Export{Name: cloudformation.Sub("${AWS::StackName}-MachineArn")},
	}
	return t
}

// traps makes the mistakes goformation lets through: required fields left at their zero
// value, and literal intrinsic maps, which template.JSON evaluates to null.
func traps() *cloudformation.Template {
	t := cloudformation.NewTemplate()
	t.Resources["BakeRole"] = &iam.Role{
		AssumeRolePolicyDocument: trust("lambda.amazonaws.com"),
		Policies: []iam.Role_Policy{{
			PolicyName: "bake",
			PolicyDocument: document(map[string]any{
				"Effect":   "Allow",
				"Action":   "sns:Publish",
				"Resource": map[string]any{"Ref": "Orders"},
			}),
		}},
	}
	t.Resources["Orders"] = &sns.Topic{}
	t.Resources["Bake"] = &lambda.Function{
		Code:          &lambda.Function_Code{},
		TracingConfig: &lambda.Function_TracingConfig{Mode: cloudformation.String("Active")},
	}
	return t
}
