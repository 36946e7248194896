package cfncheck

import "testing"

func TestOverBroadStatementsAreReported(t *testing.T) {
	runCases(t, []checkCase{
		{"WildcardAction", rolePolicy(`{"Effect": "Allow", "Action": "*", "Resource": {"Fn::GetAtt": ["Topic", "TopicArn"]}}`),
			[]want{{statement0 + ".Action", `wildcard action "*"`}}},
		{"ServiceWildcardAction", rolePolicy(`{"Effect": "Allow", "Action": ["sns:Publish", "s3:*"], "Resource": {"Ref": "Topic"}}`),
			[]want{{statement0 + ".Action[1]", `wildcard action "s3:*"`}}},
		{"PrefixWildcardAction", rolePolicy(`{"Effect": "Allow", "Action": "s3:List*", "Resource": "arn:aws:s3:::receipts"}`),
			[]want{{statement0 + ".Action", `wildcard action "s3:List*"`}}},
		{"ResourceStarOnScopableAction", rolePolicy(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`),
			[]want{{statement0 + ".Resource", `Resource "*" in an Allow statement`}}},
		{"ResourceStarInAList", rolePolicy(`{"Effect": "Allow", "Action": "sns:Publish", "Resource": [{"Ref": "Topic"}, "*"]}`),
			[]want{{statement0 + ".Resource[1]", `Resource "*"`}}},
		{"ResourceStarWhenOnlySomeActionsAreUnscopable", rolePolicy(`{"Effect": "Allow", "Action": ["xray:PutTraceSegments", "s3:GetObject"], "Resource": "*"}`),
			[]want{{statement0 + ".Resource", `Resource "*"`}}},
		{"NotActionInAllow", rolePolicy(`{"Effect": "Allow", "NotAction": "iam:*", "Resource": {"Ref": "Topic"}}`),
			[]want{{statement0 + ".NotAction", "grants everything not listed"}}},
		{"NotResourceInAllow", rolePolicy(`{"Effect": "Allow", "Action": "sns:Publish", "NotResource": "arn:aws:sns:eu-west-1:123456789012:other"}`),
			[]want{{statement0 + ".NotResource", "grants everything not listed"}}},
		{"MissingEffect", rolePolicy(`{"Action": "sns:Publish", "Resource": {"Ref": "Topic"}}`),
			[]want{{statement0 + ".Effect", `"Allow" or "Deny"`}}},
		{"MissingResource", rolePolicy(`{"Effect": "Allow", "Action": "sns:Publish"}`),
			[]want{{statement0, "statement has no Resource"}}},
		{"StatementAsSingleObject", stack(`"Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": ["r"],
			"PolicyDocument": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sqs:*", "Resource": "arn:aws:sqs:eu-west-1:123456789012:q"}}}}`),
			[]want{{"Resources.Policy.Properties.PolicyDocument.Statement.Action", `wildcard action "sqs:*"`}}},
		{"ConditionalStatementBothBranches", rolePolicy(`{"Fn::If": ["IsProd", {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}, {"Ref": "AWS::NoValue"}]}`),
			[]want{{statement0 + ".Fn::If[1].Resource", `Resource "*"`}}},
		{"TrustPolicyWildcardPrincipal", stack(`"AppRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
			"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}}}`),
			[]want{{"Resources.AppRole.Properties.AssumeRolePolicyDocument.Statement[0].Principal", `Principal "*" without a Condition`}}},
		{"TopicPolicyOpenToAnyone", stack(topic + `, "TopicPolicy": {"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [{"Ref": "Topic"}],
			"PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": {"Ref": "Topic"}}]}}}`),
			[]want{{"Resources.TopicPolicy.Properties.PolicyDocument.Statement[0].Principal", `Principal "*" without a Condition`}}},
		{"KeyPolicyWildcardPrincipal", kmsKey(`{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}`),
			[]want{{keyStatement0 + ".Principal", `Principal "*" without a Condition`}}},
		{"KeyPolicyKmsStarForAService", kmsKey(`{"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}, "Action": "kms:*", "Resource": "*"}`),
			[]want{{keyStatement0 + ".Action", `wildcard action "kms:*"`}}},
		{"PolicyDocumentStringNotJSON", stack(`"Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": ["r"], "PolicyDocument": "{not json"}}`),
			[]want{{"Resources.Policy.Properties.PolicyDocument", "not JSON"}}},
	})
}

func TestNecessaryGrantsAreAccepted(t *testing.T) {
	runCases(t, []checkCase{
		{"ResourceStarOnXRay", rolePolicy(`{"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"], "Resource": "*"}`), nil},
		{"ResourceStarOnVendedLogDelivery", rolePolicy(`{"Effect": "Allow", "Action": ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
			"logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"], "Resource": ["*"]}`), nil},
		{"ActionNamesAreCaseInsensitive", rolePolicy(`{"Effect": "Allow", "Action": "XRay:putTraceSegments", "Resource": "*"}`), nil},
		{"DenyMayUseWildcards", rolePolicy(`{"Effect": "Deny", "NotAction": "*", "Resource": "*"}`), nil},
		{"ScopedStatement", rolePolicy(`{"Effect": "Allow", "Action": "sns:Publish", "Resource": {"Ref": "Topic"}}`), nil},
		{"KeyPolicyResourceStarMeansThisKey", kmsKey(`{"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}`), nil},
		{"KeyPolicyKmsStarForTheAccountRoot", kmsKey(`{"Effect": "Allow", "Principal": {"AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"]]}}, "Action": "kms:*", "Resource": "*"}`), nil},
		{"KeyPolicyWildcardPrincipalWithCondition", kmsKey(`{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
			"Condition": {"StringEquals": {"kms:CallerAccount": {"Ref": "AWS::AccountId"}}}}`), nil},
		{"EmptyStringInAStatementCondition", rolePolicy(`{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::receipts",
			"Condition": {"StringLike": {"s3:prefix": ["", "receipts/"]}}}`), nil},
		{"PolicyDocumentAsJSONString", stack(`"Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": ["r"],
			"PolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sns:Publish\",\"Resource\":\"arn:aws:sns:eu-west-1:123456789012:t\"}]}"}}`), nil},
	})
}
