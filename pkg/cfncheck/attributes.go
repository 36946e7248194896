package cfncheck

import "strings"

// attributes lists, per resource type, the names Fn::GetAtt accepts. It doubles as the
// list of types the checker knows: a type missing here is reported, so that whoever adds
// a new kind of resource to the generator also records what can be read from it.
//
// Sources are the "Return values" sections of the CloudFormation resource reference.
// An empty list means the type has no Fn::GetAtt attributes (Ref still works).
var attributes = map[string][]string{
	"AWS::ApiGateway::Account":    {"Id"},
	"AWS::ApiGateway::Deployment": {"DeploymentId"},
	"AWS::ApiGateway::Method":     {},
	"AWS::ApiGateway::Resource":   {"ResourceId"},
	"AWS::ApiGateway::RestApi":    {"RestApiId", "RootResourceId"},
	"AWS::ApiGateway::Stage":      {},

	"AWS::ApiGatewayV2::Api":         {"ApiEndpoint", "ApiId"},
	"AWS::ApiGatewayV2::Integration": {"IntegrationId"},
	"AWS::ApiGatewayV2::Route":       {"RouteId"},
	"AWS::ApiGatewayV2::Stage":       {},

	"AWS::Events::Rule": {"Arn"},

	"AWS::IAM::Policy": {"Id"},
	"AWS::IAM::Role":   {"Arn", "RoleId"},

	"AWS::KMS::Alias": {},
	"AWS::KMS::Key":   {"Arn", "KeyId"},

	"AWS::Lambda::Function": {
		"Arn",
		"SnapStartResponse",
		"SnapStartResponse.ApplyOn",
		"SnapStartResponse.OptimizationStatus",
	},
	"AWS::Lambda::Permission": {"Id"},

	"AWS::Logs::LogGroup": {"Arn"},

	"AWS::OpenSearchService::Domain": {
		"AdvancedSecurityOptions.AnonymousAuthDisableDate",
		"Arn",
		"DomainArn",
		"DomainEndpoint",
		"DomainEndpointV2",
		"DomainEndpoints",
		"Id",
		"IdentityCenterOptions.IdentityCenterApplicationARN",
		"IdentityCenterOptions.IdentityStoreId",
		"ServiceSoftwareOptions.AutomatedUpdateDate",
		"ServiceSoftwareOptions.Cancellable",
		"ServiceSoftwareOptions.CurrentVersion",
		"ServiceSoftwareOptions.Description",
		"ServiceSoftwareOptions.NewVersion",
		"ServiceSoftwareOptions.OptionalDeployment",
		"ServiceSoftwareOptions.UpdateAvailable",
		"ServiceSoftwareOptions.UpdateStatus",
	},

	"AWS::S3::Bucket": {
		"Arn",
		"DomainName",
		"DualStackDomainName",
		"MetadataTableConfiguration.S3TablesDestination.TableArn",
		"MetadataTableConfiguration.S3TablesDestination.TableNamespace",
		"RegionalDomainName",
		"WebsiteURL",
	},
	"AWS::S3::BucketPolicy": {},

	"AWS::SecretsManager::Secret": {"Id"},

	"AWS::SNS::Subscription": {},
	"AWS::SNS::Topic":        {"TopicArn", "TopicName"},
	"AWS::SNS::TopicPolicy":  {"Id"},

	"AWS::SQS::Queue":       {"Arn", "QueueName", "QueueUrl"},
	"AWS::SQS::QueuePolicy": {"Id"},

	"AWS::StepFunctions::StateMachine": {"Arn", "Name", "StateMachineRevisionId"},
}

// isCustomResource reports whether a type is a custom resource, whose attributes are
// whatever its provider returns and so cannot be listed.
func isCustomResource(typ string) bool {
	return strings.HasPrefix(typ, "Custom::") || typ == "AWS::CloudFormation::CustomResource"
}

// knownType reports whether the checker can vouch for a resource type's attributes.
func knownType(typ string) bool {
	_, ok := attributes[typ]
	return ok || isCustomResource(typ)
}

// hasAttribute reports whether Fn::GetAtt may read attr from a resource of type typ.
// Unknown types answer true: they are reported once, where their Type is declared.
func hasAttribute(typ, attr string) bool {
	if !knownType(typ) || isCustomResource(typ) {
		return true
	}
	for _, a := range attributes[typ] {
		if a == attr {
			return true
		}
	}
	return false
}
