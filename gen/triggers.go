package gen

import (
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigatewayv2"
	"github.com/awslabs/goformation/v7/cloudformation/events"

	"github.com/stepforge/stepforge/pkg/workflow"
)

// rules declares EventBridge rules that start a state machine when a
// matching object is created in a bucket, through a role allowed only
// states:StartExecution on that machine.
func (s *stack) rules() error {
	for _, r := range s.w.Rules {
		id := r.LogicalID()
		stmts := []statement{allow("StartExecution", []string{"states:StartExecution"}, ref(r.Machine))}
		if err := s.add(id+"Role", role("events.amazonaws.com", "Lets the "+r.Name+" rule start "+r.Machine.Name+".", stmts)); err != nil {
			return err
		}
		err := s.add(id, &events.Rule{
			Description: cloudformation.String("Starts " + r.Machine.Name + " when an object whose key ends with " + r.KeySuffix + " is created in " + r.Bucket.Name + "."),
			State:       cloudformation.String("ENABLED"),
			EventPattern: map[string]any{
				"source":      []string{"aws.s3"},
				"detail-type": []string{"Object Created"},
				"detail": map[string]any{
					"bucket": map[string]any{"name": []string{ref(r.Bucket)}},
					"object": map[string]any{"key": []any{map[string]any{"suffix": r.KeySuffix}}},
				},
			},
			Targets: []events.Rule_Target{{
				Id:      "Start" + r.Machine.Name,
				Arn:     ref(r.Machine),
				RoleArn: cloudformation.String(cloudformation.GetAtt(id+"Role", "Arn")),
			}},
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// httpAPIs declares HTTP APIs whose routes run a state machine: an Express
// machine synchronously (StartSyncExecution, the caller receives the
// execution result), a Standard one asynchronously (StartExecution).
func (s *stack) httpAPIs() error {
	for _, a := range s.w.HTTPAPIs {
		id := a.LogicalID()
		err := s.add(id, &apigatewayv2.Api{
			Name:         cloudformation.SubPtr("${AWS::StackName}-" + a.Name),
			ProtocolType: cloudformation.String("HTTP"),
		})
		if err != nil {
			return err
		}
		var stmts []statement
		for _, rt := range a.Routes {
			action, subtype := "states:StartExecution", "StepFunctions-StartExecution"
			if rt.Machine.Type == workflow.Express {
				action, subtype = "states:StartSyncExecution", "StepFunctions-StartSyncExecution"
			}
			stmts = append(stmts, allow(rt.Machine.Name, []string{action}, ref(rt.Machine)))
			integ := id + rt.Machine.Name + "Integration"
			err := s.add(integ, &apigatewayv2.Integration{
				ApiId:                ref(a),
				IntegrationType:      "AWS_PROXY",
				IntegrationSubtype:   cloudformation.String(subtype),
				CredentialsArn:       cloudformation.String(cloudformation.GetAtt(id+"Role", "Arn")),
				PayloadFormatVersion: cloudformation.String("1.0"),
				RequestParameters:    map[string]string{"StateMachineArn": ref(rt.Machine), "Input": "$request.body"},
				TimeoutInMillis:      cloudformation.Int(29000),
			})
			if err != nil {
				return err
			}
			err = s.add(id+routeID(rt.Method, rt.Path)+"Route", &apigatewayv2.Route{
				ApiId:    ref(a),
				RouteKey: rt.Method + " " + rt.Path,
				Target:   cloudformation.SubPtr("integrations/${" + integ + "}"),
			})
			if err != nil {
				return err
			}
			s.output(id+routeID(rt.Method, rt.Path)+"Url", rt.Method+" here runs "+rt.Machine.Name+".",
				cloudformation.Sub("https://${"+id+"}.execute-api.${AWS::Region}.${AWS::URLSuffix}"+rt.Path))
		}
		if err := s.add(id+"Role", role("apigateway.amazonaws.com", "Lets the "+a.Name+" API run its state machines.", stmts)); err != nil {
			return err
		}
		err = s.add(id+"Stage", &apigatewayv2.Stage{
			ApiId:      ref(a),
			StageName:  "$default",
			AutoDeploy: cloudformation.Bool(true),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// routeID turns "POST /pizza/{id}" into "PostPizzaId".
func routeID(method, path string) string {
	out := []byte{}
	upper := true
	for _, c := range []byte(method[:1] + lower(method[1:]) + path) {
		switch {
		case c >= 'a' && c <= 'z':
			if upper {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			upper = false
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			out = append(out, c)
			upper = false
		default:
			upper = true
		}
	}
	return string(out)
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
