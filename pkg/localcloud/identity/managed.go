package identity

// managedPolicies are the documents of the AWS-managed policies a role
// of this project may attach, copied from the AWS managed policy
// reference (docs.aws.amazon.com/aws-managed-policy/latest/reference/)
// at their default versions: AWSLambdaBasicExecutionRole v1,
// AWSXRayDaemonWriteAccess v2, AWSLambdaRole v1, CloudWatchLogsFullAccess.
// An attached policy not here is refused by the evaluator, by name.
var managedPolicies = map[string]string{
	"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`,
	"arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess":                 `{"Version":"2012-10-17","Statement":[{"Sid":"AWSXRayDaemonWriteAccess","Effect":"Allow","Action":["xray:PutTraceSegments","xray:PutTelemetryRecords","xray:GetSamplingRules","xray:GetSamplingTargets","xray:GetSamplingStatisticSummaries"],"Resource":["*"]}]}`,
	"arn:aws:iam::aws:policy/service-role/AWSLambdaRole":               `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:InvokeFunction"],"Resource":["*"]}]}`,
	"arn:aws:iam::aws:policy/CloudWatchLogsFullAccess":                 `{"Version":"2012-10-17","Statement":[{"Sid":"CloudWatchLogsFullAccess","Effect":"Allow","Action":["logs:*","cloudwatch:GenerateQuery","cloudwatch:GenerateQueryResultsSummary"],"Resource":"*"}]}`,
}
