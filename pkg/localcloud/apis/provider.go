package apis

import (
	"errors"
	"fmt"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// tCFN remembers, per stack and logical id, the parent identifiers of a
// provisioned resource (its REST or HTTP API), so that a delete finds
// them even when it is handed only the physical id.
const tCFN = "apigateway.cfn"

type cfnParents struct {
	APIID      string `json:"apiId,omitempty"`
	ResourceID string `json:"resourceId,omitempty"`
	HTTPMethod string `json:"httpMethod,omitempty"`
}

func cfnKey(req *cfnengine.ResourceRequest) string { return req.StackID + "/" + req.LogicalID }

func (s *Service) remember(req *cfnengine.ResourceRequest, p cfnParents) error {
	return s.store.Update(func(tx *localcloud.Tx) error { return tx.Put(tCFN, cfnKey(req), p) })
}

func (s *Service) forget(req *cfnengine.ResourceRequest) error {
	return s.store.Update(func(tx *localcloud.Tx) error { return tx.Delete(tCFN, cfnKey(req)) })
}

// parents returns the resource's parent ids: from its properties when
// the request has them, else as remembered at create.
func (s *Service) parents(req *cfnengine.ResourceRequest, apiProp string) (cfnParents, error) {
	var p cfnParents
	for _, props := range []map[string]any{req.Properties, req.OldProperties} {
		if id, ok := props[apiProp].(string); ok && id != "" {
			p.APIID = id
			p.ResourceID, _ = props["ResourceId"].(string)
			p.HTTPMethod, _ = props["HttpMethod"].(string)
			return p, nil
		}
	}
	err := s.store.View(func(tx *localcloud.Tx) error {
		_, err := tx.Get(tCFN, cfnKey(req), &p)
		return err
	})
	return p, err
}

// handlerErr words a failure as CloudFormation's stack events do.
func handlerErr(err error) error {
	var e *localcloud.Error
	if errors.As(err, &e) {
		return fmt.Errorf("Resource handler returned message: %q (Service: ApiGateway, Status Code: %d, Error Code: %s)", e.Message, statusOf(e), e.Code)
	}
	return fmt.Errorf("Resource handler returned message: %q", err.Error())
}

func statusOf(e *localcloud.Error) int {
	if e.Status == 0 {
		return 400
	}
	return e.Status
}

// gone is true for a delete of something already deleted.
func gone(err error) bool {
	var e *localcloud.Error
	return errors.As(err, &e) && e.Code == "NotFoundException"
}

func propErr(typ, format string, a ...any) error {
	return fmt.Errorf("Properties validation failed for resource of type %s: %s", typ, fmt.Sprintf(format, a...))
}

func refuse(typ string, props map[string]any, names ...string) error {
	for _, n := range names {
		if _, ok := props[n]; ok {
			return fmt.Errorf("the local cloud does not support property %s of %s", n, typ)
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

func tagMap(tags []cfnTag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

type cfnTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}
