package apis

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// RestAPI is a REST API as API Gateway returns it.
type RestAPI struct {
	ID                        string                 `json:"id"`
	Name                      string                 `json:"name"`
	Description               string                 `json:"description,omitempty"`
	CreatedDate               localcloud.Time        `json:"createdDate"`
	Version                   string                 `json:"version,omitempty"`
	BinaryMediaTypes          []string               `json:"binaryMediaTypes,omitempty"`
	APIKeySource              string                 `json:"apiKeySource,omitempty"`
	EndpointConfiguration     *EndpointConfiguration `json:"endpointConfiguration,omitempty"`
	Policy                    string                 `json:"policy,omitempty"`
	Tags                      map[string]string      `json:"tags,omitempty"`
	DisableExecuteAPIEndpoint bool                   `json:"disableExecuteApiEndpoint"`
	RootResourceID            string                 `json:"rootResourceId"`
}

// EndpointConfiguration is a REST API's endpoint types.
type EndpointConfiguration struct {
	Types         []string `json:"types,omitempty"`
	IPAddressType string   `json:"ipAddressType,omitempty"`
}

// RestAPIs is a page of GetRestApis.
type RestAPIs struct {
	Position string    `json:"position,omitempty"`
	Items    []RestAPI `json:"item"`
}

// CreateRestAPIInput is CreateRestApi's input.
type CreateRestAPIInput struct {
	Name                      string                 `json:"name"`
	Description               string                 `json:"description"`
	Version                   string                 `json:"version"`
	BinaryMediaTypes          []string               `json:"binaryMediaTypes"`
	APIKeySource              string                 `json:"apiKeySource"`
	EndpointConfiguration     *EndpointConfiguration `json:"endpointConfiguration"`
	Policy                    string                 `json:"policy"`
	Tags                      map[string]string      `json:"tags"`
	DisableExecuteAPIEndpoint bool                   `json:"disableExecuteApiEndpoint"`
	CloneFrom                 string                 `json:"cloneFrom"`
}

// PatchOperation is one change of an Update operation.
type PatchOperation struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value string `json:"value"`
	From  string `json:"from"`
}

func restKey(restID, sub string) string { return restID + "/" + sub }

func invalidRestAPI(id string) error {
	return notFound("Invalid API identifier specified %s:%s", localcloud.Account, id)
}

func checkEndpointConfiguration(ec *EndpointConfiguration) error {
	if ec == nil {
		return nil
	}
	if len(ec.Types) != 1 {
		return badRequest("A single endpoint type must be specified. Valid values are: EDGE, REGIONAL, PRIVATE")
	}
	if !slices.Contains([]string{"EDGE", "REGIONAL", "PRIVATE"}, ec.Types[0]) {
		return badRequest("Invalid endpoint type specified: %s. Valid values are: EDGE, REGIONAL, PRIVATE", ec.Types[0])
	}
	switch ec.IPAddressType {
	case "":
		ec.IPAddressType = "ipv4"
	case "ipv4", "dualstack":
	default:
		return badRequest("Invalid ipAddressType specified: %s. Valid values are: ipv4, dualstack", ec.IPAddressType)
	}
	return nil
}

// CreateRestAPI makes a REST API with its root resource "/".
func (s *Service) CreateRestAPI(_ context.Context, in CreateRestAPIInput) (*RestAPI, error) {
	if strings.TrimSpace(in.Name) == "" {
		return nil, badRequest("Invalid REST API name specified: the name must not be empty")
	}
	if in.CloneFrom != "" {
		return nil, badRequest("the local cloud does not clone REST APIs (cloneFrom %s)", in.CloneFrom)
	}
	if in.EndpointConfiguration == nil {
		in.EndpointConfiguration = &EndpointConfiguration{Types: []string{"EDGE"}}
	}
	if err := checkEndpointConfiguration(in.EndpointConfiguration); err != nil {
		return nil, err
	}
	switch in.APIKeySource {
	case "":
		in.APIKeySource = "HEADER"
	case "HEADER", "AUTHORIZER":
	default:
		return nil, badRequest("Invalid apiKeySource specified: %s. Valid values are: HEADER, AUTHORIZER", in.APIKeySource)
	}
	api := &RestAPI{
		ID: newID(10), Name: in.Name, Description: in.Description, CreatedDate: localcloud.Time(s.now()),
		Version: in.Version, BinaryMediaTypes: in.BinaryMediaTypes, APIKeySource: in.APIKeySource,
		EndpointConfiguration: in.EndpointConfiguration, Policy: in.Policy, Tags: in.Tags,
		DisableExecuteAPIEndpoint: in.DisableExecuteAPIEndpoint, RootResourceID: newID(10),
	}
	root := &Resource{ID: api.RootResourceID, Path: "/"}
	err := s.store.Update(func(tx *localcloud.Tx) error {
		if err := tx.Put(tRestAPIs, api.ID, api); err != nil {
			return err
		}
		return tx.Put(tResources, restKey(api.ID, root.ID), root)
	})
	if err != nil {
		return nil, err
	}
	return api, nil
}

func getRestAPI(tx *localcloud.Tx, id string) (*RestAPI, error) {
	var api RestAPI
	found, err := tx.Get(tRestAPIs, id, &api)
	if err != nil {
		return nil, err
	}
	if !found || id == "" {
		return nil, invalidRestAPI(id)
	}
	return &api, nil
}

// GetRestAPI returns the REST API id.
func (s *Service) GetRestAPI(_ context.Context, id string) (api *RestAPI, err error) {
	err = s.store.View(func(tx *localcloud.Tx) error {
		api, err = getRestAPI(tx, id)
		return err
	})
	return api, err
}

// GetRestAPIs returns a page of REST APIs: limit (default 25, at most
// 500) from position.
func (s *Service) GetRestAPIs(_ context.Context, position string, limit int) (*RestAPIs, error) {
	all := map[string]RestAPI{}
	var keys []string
	err := s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(tRestAPIs, "", func(k string, raw []byte) error {
			var a RestAPI
			if err := json.Unmarshal(raw, &a); err != nil {
				return err
			}
			all[k] = a
			keys = append(keys, k)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	ks, next, err := page(keys, position, limit, 25, 500)
	if err != nil {
		return nil, err
	}
	out := &RestAPIs{Position: next, Items: []RestAPI{}}
	for _, k := range ks {
		out.Items = append(out.Items, all[k])
	}
	return out, nil
}

// UpdateRestAPI applies patch operations to a REST API: replace of /name,
// /description, /version, /policy, /apiKeySource,
// /disableExecuteApiEndpoint; add and remove of /binaryMediaTypes/<type>.
func (s *Service) UpdateRestAPI(_ context.Context, id string, ops []PatchOperation) (api *RestAPI, err error) {
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if api, err = getRestAPI(tx, id); err != nil {
			return err
		}
		for _, op := range ops {
			if err := patchRestAPI(api, op); err != nil {
				return err
			}
		}
		return tx.Put(tRestAPIs, id, api)
	})
	return api, err
}

func patchRestAPI(api *RestAPI, op PatchOperation) error {
	if t, ok := strings.CutPrefix(op.Path, "/binaryMediaTypes/"); ok && (op.Op == "add" || op.Op == "remove") {
		t = strings.ReplaceAll(t, "~1", "/")
		api.BinaryMediaTypes = slices.DeleteFunc(api.BinaryMediaTypes, func(x string) bool { return x == t })
		if op.Op == "add" {
			api.BinaryMediaTypes = append(api.BinaryMediaTypes, t)
		}
		return nil
	}
	if op.Op != "replace" {
		return badRequest("Invalid patch operation specified. Must be one of: [replace] for path %s (add and remove: /binaryMediaTypes/<type>)", op.Path)
	}
	switch op.Path {
	case "/name":
		if strings.TrimSpace(op.Value) == "" {
			return badRequest("Invalid REST API name specified: the name must not be empty")
		}
		api.Name = op.Value
	case "/description":
		api.Description = op.Value
	case "/version":
		api.Version = op.Value
	case "/policy":
		api.Policy = op.Value
	case "/apiKeySource":
		if op.Value != "HEADER" && op.Value != "AUTHORIZER" {
			return badRequest("Invalid apiKeySource specified: %s. Valid values are: HEADER, AUTHORIZER", op.Value)
		}
		api.APIKeySource = op.Value
	case "/disableExecuteApiEndpoint":
		api.DisableExecuteAPIEndpoint = op.Value == "true"
	default:
		return badRequest("Invalid patch path '%s' specified for op 'replace'. Must be one of: [/name, /description, /version, /policy, /apiKeySource, /disableExecuteApiEndpoint]", op.Path)
	}
	return nil
}

// DeleteRestAPI removes a REST API with its resources, deployments and
// stages.
func (s *Service) DeleteRestAPI(_ context.Context, id string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getRestAPI(tx, id); err != nil {
			return err
		}
		for _, t := range []string{tResources, tDeployments, tStages} {
			if err := deletePrefix(tx, t, id+"/"); err != nil {
				return err
			}
		}
		return tx.Delete(tRestAPIs, id)
	})
}

func deletePrefix(tx *localcloud.Tx, table, prefix string) error {
	var keys []string
	if err := tx.Scan(table, prefix, func(k string, _ []byte) error { keys = append(keys, k); return nil }); err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(table, k); err != nil {
			return err
		}
	}
	return nil
}

// restAPIUpdate runs fn on a REST API in place (the CloudFormation
// provider's update).
func (s *Service) restAPIUpdate(id string, fn func(*RestAPI) error) (api *RestAPI, err error) {
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if api, err = getRestAPI(tx, id); err != nil {
			return err
		}
		if err := fn(api); err != nil {
			return err
		}
		return tx.Put(tRestAPIs, id, api)
	})
	return api, err
}
