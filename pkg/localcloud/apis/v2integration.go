package apis

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// V2Integration is an HTTP API integration.
type V2Integration struct {
	APIGatewayManaged    bool              `json:"apiGatewayManaged,omitempty"`
	ConnectionID         string            `json:"connectionId,omitempty"`
	ConnectionType       string            `json:"connectionType,omitempty"`
	CredentialsARN       string            `json:"credentialsArn,omitempty"`
	Description          string            `json:"description,omitempty"`
	IntegrationID        string            `json:"integrationId"`
	IntegrationMethod    string            `json:"integrationMethod,omitempty"`
	IntegrationSubtype   string            `json:"integrationSubtype,omitempty"`
	IntegrationType      string            `json:"integrationType"`
	IntegrationURI       string            `json:"integrationUri,omitempty"`
	PayloadFormatVersion string            `json:"payloadFormatVersion"`
	RequestParameters    map[string]string `json:"requestParameters,omitempty"`
	// ResponseParameters maps a status code to its header/status mappings.
	ResponseParameters map[string]map[string]string `json:"responseParameters,omitempty"`
	TimeoutInMillis    int                          `json:"timeoutInMillis"`
	TLSConfig          *TLSConfig                   `json:"tlsConfig,omitempty"`
}

// TLSConfig is an HTTP API private integration's TLS setting.
type TLSConfig struct {
	ServerNameToVerify string `json:"serverNameToVerify,omitempty"`
}

// IntegrationInput is CreateIntegration's and UpdateIntegration's input;
// nil is not given.
type IntegrationInput struct {
	ConnectionID         *string                      `json:"connectionId"`
	ConnectionType       *string                      `json:"connectionType"`
	CredentialsARN       *string                      `json:"credentialsArn"`
	Description          *string                      `json:"description"`
	IntegrationMethod    *string                      `json:"integrationMethod"`
	IntegrationSubtype   *string                      `json:"integrationSubtype"`
	IntegrationType      *string                      `json:"integrationType"`
	IntegrationURI       *string                      `json:"integrationUri"`
	PayloadFormatVersion *string                      `json:"payloadFormatVersion"`
	RequestParameters    map[string]string            `json:"requestParameters"`
	ResponseParameters   map[string]map[string]string `json:"responseParameters"`
	TimeoutInMillis      *int                         `json:"timeoutInMillis"`
	TLSConfig            *TLSConfig                   `json:"tlsConfig"`
	// WebSocket-only fields, refused for HTTP APIs.
	RequestTemplates            map[string]string `json:"requestTemplates"`
	TemplateSelectionExpression *string           `json:"templateSelectionExpression"`
	PassthroughBehavior         *string           `json:"passthroughBehavior"`
	ContentHandlingStrategy     *string           `json:"contentHandlingStrategy"`
}

// IntegrationsPage is a page of GetIntegrations.
type IntegrationsPage struct {
	Items     []V2Integration `json:"items"`
	NextToken string          `json:"nextToken,omitempty"`
}

// subtypeParams are the request parameters each AWS service integration
// subtype takes: required first, then optional.
var subtypeParams = map[string]struct{ required, optional []string }{
	"EventBridge-PutEvents":            {[]string{"Detail", "DetailType", "Source"}, []string{"Time", "EventBusName", "Resources", "Region", "TraceHeader"}},
	"SQS-SendMessage":                  {[]string{"QueueUrl", "MessageBody"}, []string{"DelaySeconds", "MessageAttributes", "MessageDeduplicationId", "MessageGroupId", "MessageSystemAttributes", "Region"}},
	"SQS-ReceiveMessage":               {[]string{"QueueUrl"}, []string{"AttributeNames", "MaxNumberOfMessages", "MessageAttributeNames", "ReceiveRequestAttemptId", "VisibilityTimeout", "WaitTimeSeconds", "Region"}},
	"SQS-DeleteMessage":                {[]string{"QueueUrl", "ReceiptHandle"}, []string{"Region"}},
	"SQS-PurgeQueue":                   {[]string{"QueueUrl"}, []string{"Region"}},
	"AppConfig-GetConfiguration":       {[]string{"Application", "Environment", "Configuration", "ClientId"}, []string{"ClientConfigurationVersion", "Region"}},
	"Kinesis-PutRecord":                {[]string{"StreamName", "Data", "PartitionKey"}, []string{"SequenceNumberForOrdering", "ExplicitHashKey", "Region"}},
	"StepFunctions-StartExecution":     {[]string{"StateMachineArn"}, []string{"Name", "Input", "Region"}},
	"StepFunctions-StartSyncExecution": {[]string{"StateMachineArn"}, []string{"Name", "Input", "Region", "TraceHeader"}},
	"StepFunctions-StopExecution":      {[]string{"ExecutionArn"}, []string{"Cause", "Error", "Region"}},
}

var paramMappingRE = regexp.MustCompile(`^(append|overwrite|remove):(header\.[A-Za-z0-9!#$%&'*+.^_` + "`" + `|~-]+|querystring\.[^\s]+|path)$`)

var lambdaURIRE = regexp.MustCompile(`^arn:aws:(lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?|apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?/invocations)$`)

func invalidV2Integration(id string) error {
	return notFound("Invalid Integration identifier specified %s", id)
}

func checkV2Integration(in *IntegrationInput, integ *V2Integration) error {
	if in.RequestTemplates != nil || in.TemplateSelectionExpression != nil || in.PassthroughBehavior != nil || in.ContentHandlingStrategy != nil {
		return badRequest("RequestTemplates, TemplateSelectionExpression, PassthroughBehavior and ContentHandlingStrategy are supported only for WebSocket APIs")
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&integ.ConnectionID, in.ConnectionID)
	set(&integ.ConnectionType, in.ConnectionType)
	set(&integ.CredentialsARN, in.CredentialsARN)
	set(&integ.Description, in.Description)
	set(&integ.IntegrationMethod, in.IntegrationMethod)
	set(&integ.IntegrationSubtype, in.IntegrationSubtype)
	set(&integ.IntegrationType, in.IntegrationType)
	set(&integ.IntegrationURI, in.IntegrationURI)
	set(&integ.PayloadFormatVersion, in.PayloadFormatVersion)
	if in.RequestParameters != nil {
		integ.RequestParameters = in.RequestParameters
	}
	if in.ResponseParameters != nil {
		integ.ResponseParameters = in.ResponseParameters
	}
	if in.TimeoutInMillis != nil {
		integ.TimeoutInMillis = *in.TimeoutInMillis
	}
	if in.TLSConfig != nil {
		integ.TLSConfig = in.TLSConfig
	}
	if integ.ConnectionType == "" {
		integ.ConnectionType = "INTERNET"
	}
	if integ.ConnectionType != "INTERNET" {
		return badRequest("the local cloud serves integrations over the internet only: ConnectionType %s (VPC links) is not supported", integ.ConnectionType)
	}
	if integ.TimeoutInMillis == 0 {
		integ.TimeoutInMillis = 30000
	}
	if integ.TimeoutInMillis < 50 || integ.TimeoutInMillis > 30000 {
		return badRequest("TimeoutInMillis must be between 50 and 30000 ms for HTTP APIs")
	}
	if integ.CredentialsARN != "" && !strings.HasPrefix(integ.CredentialsARN, "arn:aws:iam::") {
		return badRequest("Invalid IAM role ARN specified for CredentialsArn: %s", integ.CredentialsARN)
	}
	switch integ.IntegrationType {
	case "AWS_PROXY":
		if integ.IntegrationSubtype != "" {
			return checkSubtype(integ)
		}
		if !lambdaURIRE.MatchString(integ.IntegrationURI) {
			return badRequest("Invalid integration URI specified: an AWS_PROXY integration without an IntegrationSubtype takes a Lambda function ARN or its invocation URI")
		}
		if len(integ.RequestParameters) > 0 {
			return badRequest("Parameter mapping is not supported for Lambda proxy integrations")
		}
		if integ.PayloadFormatVersion != "1.0" && integ.PayloadFormatVersion != "2.0" {
			return badRequest("PayloadFormatVersion is required for a Lambda proxy integration of an HTTP API: 1.0 or 2.0")
		}
	case "HTTP_PROXY":
		if integ.IntegrationSubtype != "" {
			return badRequest("IntegrationSubtype is supported only for AWS_PROXY integrations")
		}
		if !strings.HasPrefix(integ.IntegrationURI, "http://") && !strings.HasPrefix(integ.IntegrationURI, "https://") {
			return badRequest("Invalid HTTP endpoint specified for URI")
		}
		if integ.IntegrationMethod == "" {
			return badRequest("IntegrationMethod is required for HTTP_PROXY integrations")
		}
		if !slices.Contains(httpMethods, integ.IntegrationMethod) {
			return badRequest("Invalid IntegrationMethod specified: %s. Valid options are %s", integ.IntegrationMethod, strings.Join(httpMethods, ","))
		}
		if integ.PayloadFormatVersion == "" {
			integ.PayloadFormatVersion = "1.0"
		}
		if integ.PayloadFormatVersion != "1.0" {
			return badRequest("PayloadFormatVersion %s is not supported for HTTP_PROXY integrations: only 1.0 is", integ.PayloadFormatVersion)
		}
		for k := range integ.RequestParameters {
			if !paramMappingRE.MatchString(k) {
				return badRequest("Invalid mapping expression specified: %s. The key must be of the form {append|overwrite|remove}:{header.<name>|querystring.<name>|path}", k)
			}
		}
	case "AWS", "HTTP", "MOCK":
		return badRequest("Integration type %s is supported only for WebSocket APIs", integ.IntegrationType)
	case "":
		return badRequest("IntegrationType is required")
	default:
		return badRequest("Invalid integration type specified: %s. Valid values for HTTP APIs are: AWS_PROXY, HTTP_PROXY", integ.IntegrationType)
	}
	return nil
}

// checkSubtype validates an AWS service integration's parameters as AWS
// does for its subtype.
func checkSubtype(integ *V2Integration) error {
	spec, ok := subtypeParams[integ.IntegrationSubtype]
	if !ok {
		names := make([]string, 0, len(subtypeParams))
		for k := range subtypeParams {
			names = append(names, k)
		}
		sort.Strings(names)
		return badRequest("Invalid integration subtype specified: %s. Valid values are: %s", integ.IntegrationSubtype, strings.Join(names, ", "))
	}
	if integ.IntegrationURI != "" {
		return badRequest("IntegrationUri is not supported for an AWS service integration (IntegrationSubtype %s)", integ.IntegrationSubtype)
	}
	if integ.PayloadFormatVersion == "" {
		integ.PayloadFormatVersion = "1.0"
	}
	if integ.PayloadFormatVersion != "1.0" {
		return badRequest("PayloadFormatVersion %s is not supported for AWS service integrations: only 1.0 is", integ.PayloadFormatVersion)
	}
	var missing, unknown []string
	for _, p := range spec.required {
		if integ.RequestParameters[p] == "" {
			missing = append(missing, p)
		}
	}
	for k := range integ.RequestParameters {
		if !slices.Contains(spec.required, k) && !slices.Contains(spec.optional, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	if len(missing) > 0 {
		return badRequest("Missing required parameter(s) for integration subtype %s: %s", integ.IntegrationSubtype, strings.Join(missing, ", "))
	}
	if len(unknown) > 0 {
		return badRequest("Unsupported parameter(s) for integration subtype %s: %s. Supported parameters are: %s", integ.IntegrationSubtype,
			strings.Join(unknown, ", "), strings.Join(append(slices.Clone(spec.required), spec.optional...), ", "))
	}
	return nil
}

func getV2Integration(tx *localcloud.Tx, apiID, id string) (*V2Integration, error) {
	if _, err := getHTTPAPI(tx, apiID); err != nil {
		return nil, err
	}
	var integ V2Integration
	found, err := tx.Get(tIntegrations, v2Key(apiID, id), &integ)
	if err != nil {
		return nil, err
	}
	if !found || id == "" {
		return nil, invalidV2Integration(id)
	}
	return &integ, nil
}

// CreateIntegration adds an integration to an HTTP API.
func (s *Service) CreateIntegration(_ context.Context, apiID string, in IntegrationInput) (integ *V2Integration, err error) {
	integ = &V2Integration{IntegrationID: newID(7)}
	if err := checkV2Integration(&in, integ); err != nil {
		return nil, err
	}
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getHTTPAPI(tx, apiID); err != nil {
			return err
		}
		if err := tx.Put(tIntegrations, v2Key(apiID, integ.IntegrationID), integ); err != nil {
			return err
		}
		return s.autoDeploy(tx, apiID)
	})
	return integ, err
}

// GetIntegrationV2 returns an HTTP API integration.
func (s *Service) GetIntegrationV2(_ context.Context, apiID, id string) (integ *V2Integration, err error) {
	err = s.store.View(func(tx *localcloud.Tx) error {
		integ, err = getV2Integration(tx, apiID, id)
		return err
	})
	return integ, err
}

// GetIntegrationsV2 returns a page of an HTTP API's integrations.
func (s *Service) GetIntegrationsV2(_ context.Context, apiID, nextToken string, maxResults int) (*IntegrationsPage, error) {
	var all []V2Integration
	err := s.store.View(func(tx *localcloud.Tx) (err error) {
		if _, err := getHTTPAPI(tx, apiID); err != nil {
			return err
		}
		all, err = scanV2[V2Integration](tx, tIntegrations, apiID)
		return err
	})
	if err != nil {
		return nil, err
	}
	byID := map[string]V2Integration{}
	keys := []string{}
	for _, x := range all {
		byID[x.IntegrationID] = x
		keys = append(keys, x.IntegrationID)
	}
	ks, next, err := page(keys, nextToken, maxResults, 500, 500)
	if err != nil {
		return nil, err
	}
	out := &IntegrationsPage{Items: []V2Integration{}, NextToken: next}
	for _, k := range ks {
		out.Items = append(out.Items, byID[k])
	}
	return out, nil
}

// UpdateIntegrationV2 changes the fields in given.
func (s *Service) UpdateIntegrationV2(_ context.Context, apiID, id string, in IntegrationInput) (integ *V2Integration, err error) {
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if integ, err = getV2Integration(tx, apiID, id); err != nil {
			return err
		}
		if in.IntegrationType != nil && *in.IntegrationType != integ.IntegrationType {
			return badRequest("IntegrationType cannot be changed from %s to %s", integ.IntegrationType, *in.IntegrationType)
		}
		if err := checkV2Integration(&in, integ); err != nil {
			return err
		}
		if err := tx.Put(tIntegrations, v2Key(apiID, id), integ); err != nil {
			return err
		}
		return s.autoDeploy(tx, apiID)
	})
	return integ, err
}

// DeleteIntegrationV2 removes an integration no route targets.
func (s *Service) DeleteIntegrationV2(_ context.Context, apiID, id string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getV2Integration(tx, apiID, id); err != nil {
			return err
		}
		routes, err := scanV2[Route](tx, tRoutes, apiID)
		if err != nil {
			return err
		}
		for _, r := range routes {
			if r.Target == "integrations/"+id {
				return conflict("Cannot delete integration %s: it is the target of route %s (%s)", id, r.RouteID, r.RouteKey)
			}
		}
		if err := tx.Delete(tIntegrations, v2Key(apiID, id)); err != nil {
			return err
		}
		return s.autoDeploy(tx, apiID)
	})
}
