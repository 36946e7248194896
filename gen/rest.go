package gen

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigateway"
	"github.com/awslabs/goformation/v7/cloudformation/lambda"

	"github.com/stepforge/stepforge/pkg/workflow"
)

// startExecutionTemplate maps a request's JSON body to StartExecution's
// input: the body becomes the execution input as a JSON string. escape-
// JavaScript escapes single quotes, which JSON does not allow; they are put
// back.
const startExecutionTemplate = `#set($body = $input.json('$'))
{
  "input": "$util.escapeJavaScript($body).replaceAll("\\'", "'")",
  "stateMachineArn": "${%s}"
}`

// restAPIs declares REST APIs: a Lambda proxy method invokes a function
// (allowed by a permission scoped to that method), a state machine method is
// a direct AWS integration calling StartExecution with a credentials role
// allowed only that action on that machine.
func (s *stack) restAPIs() error {
	for _, a := range s.w.RestAPIs {
		id := a.LogicalID()
		err := s.add(id, &apigateway.RestApi{
			Name:                  cloudformation.SubPtr("${AWS::StackName}-" + a.Name),
			EndpointConfiguration: &apigateway.RestApi_EndpointConfiguration{Types: []string{"REGIONAL"}},
		})
		if err != nil {
			return err
		}
		resources := map[string]string{"/": cloudformation.GetAtt(id, "RootResourceId")}
		var methods []string
		var stmts []statement
		for _, rt := range a.Routes {
			parent, err := s.restResource(a, rt.Path, resources)
			if err != nil {
				return err
			}
			method := &apigateway.Method{
				RestApiId:         ref(a),
				ResourceId:        parent,
				HttpMethod:        rt.Method,
				AuthorizationType: cloudformation.String("NONE"),
			}
			mid := id + routeID(rt.Method, rt.Path) + "Method"
			switch {
			case rt.Function != nil:
				method.Integration = &apigateway.Method_Integration{
					Type:                  "AWS_PROXY",
					IntegrationHttpMethod: cloudformation.String("POST"),
					Uri:                   cloudformation.SubPtr("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + rt.Function.LogicalID() + ".Arn}/invocations"),
				}
				err = s.add(mid+"Permission", &lambda.Permission{
					Action:       "lambda:InvokeFunction",
					FunctionName: arn(rt.Function),
					Principal:    "apigateway.amazonaws.com",
					SourceArn:    cloudformation.SubPtr("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${" + id + "}/*/" + rt.Method + rt.Path),
				})
				if err != nil {
					return err
				}
			case rt.Machine != nil:
				stmts = append(stmts, allow(rt.Machine.Name, []string{"states:StartExecution"}, ref(rt.Machine)))
				method.Integration = s.startExecution(id, rt)
				for _, code := range statusCodes(rt.Responses) {
					method.MethodResponses = append(method.MethodResponses, apigateway.Method_MethodResponse{StatusCode: strconv.Itoa(code)})
				}
			default:
				return fmt.Errorf("REST route %s %s has neither a function nor a machine", rt.Method, rt.Path)
			}
			if err := s.add(mid, method); err != nil {
				return err
			}
			methods = append(methods, mid)
			s.output(id+routeID(rt.Method, rt.Path)+"Url", rt.Method+" here "+target(rt)+".",
				cloudformation.Sub("https://${"+id+"}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"+a.Stage+rt.Path))
		}
		if len(stmts) > 0 {
			if err := s.add(id+"Role", role("apigateway.amazonaws.com", "Lets the "+a.Name+" API start its state machines.", stmts)); err != nil {
				return err
			}
		}
		// A deployment is a snapshot: its logical id changes with the
		// methods, so CloudFormation deploys again when they change.
		dep := id + "Deployment" + s.fingerprint(methods)
		err = s.add(dep, &apigateway.Deployment{RestApiId: ref(a), AWSCloudFormationDependsOn: methods})
		if err != nil {
			return err
		}
		err = s.add(id+"Stage", &apigateway.Stage{
			RestApiId:      ref(a),
			StageName:      cloudformation.String(a.Stage),
			DeploymentId:   cloudformation.RefPtr(dep),
			TracingEnabled: cloudformation.Bool(true),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func target(rt workflow.RestRoute) string {
	if rt.Function != nil {
		return "invokes " + rt.Function.Name
	}
	return "starts " + rt.Machine.Name
}

// restResource returns the resource id of path, declaring a resource for
// each segment not yet declared.
func (s *stack) restResource(a *workflow.RestAPI, path string, known map[string]string) (string, error) {
	if id, ok := known[path]; ok {
		return id, nil
	}
	i := strings.LastIndex(path, "/")
	parentPath := path[:i]
	if parentPath == "" {
		parentPath = "/"
	}
	parent, err := s.restResource(a, parentPath, known)
	if err != nil {
		return "", err
	}
	rid := a.LogicalID() + routeID("R", path)[1:] + "Resource"
	err = s.add(rid, &apigateway.Resource{RestApiId: ref(a), ParentId: parent, PathPart: path[i+1:]})
	if err != nil {
		return "", err
	}
	known[path] = cloudformation.Ref(rid)
	return known[path], nil
}

func (s *stack) startExecution(apiID string, rt workflow.RestRoute) *apigateway.Method_Integration {
	integ := &apigateway.Method_Integration{
		Type:                  "AWS",
		IntegrationHttpMethod: cloudformation.String("POST"),
		Uri:                   cloudformation.SubPtr("arn:${AWS::Partition}:apigateway:${AWS::Region}:states:action/StartExecution"),
		Credentials:           cloudformation.String(cloudformation.GetAtt(apiID+"Role", "Arn")),
		PassthroughBehavior:   cloudformation.String("NEVER"),
		RequestTemplates:      map[string]string{"application/json": cloudformation.Sub(fmt.Sprintf(startExecutionTemplate, rt.Machine.LogicalID()))},
	}
	for _, code := range statusCodes(rt.Responses) {
		r := apigateway.Method_IntegrationResponse{
			StatusCode:        strconv.Itoa(code),
			ResponseTemplates: map[string]string{"application/json": rt.Responses[code]},
		}
		if code != 200 {
			// Any error StartExecution answers selects the failure response.
			r.SelectionPattern = cloudformation.String(`[45]\d\d`)
		}
		integ.IntegrationResponses = append(integ.IntegrationResponses, r)
	}
	return integ
}

func statusCodes(responses map[int]string) []int {
	codes := make([]int, 0, len(responses))
	for c := range responses {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	return codes
}

// fingerprint is a short hash of the named resources' definitions.
func (s *stack) fingerprint(ids []string) string {
	h := sha256.New()
	for _, id := range ids {
		b, _ := json.Marshal(s.t.Resources[id])
		h.Write(b)
	}
	return strings.ToUpper(hex.EncodeToString(h.Sum(nil))[:8])
}
