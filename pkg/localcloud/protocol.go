package localcloud

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxBody bounds a request body: the largest any operation here takes
// (a state machine definition, a template body) is far below it.
const maxBody = 16 << 20

// Protocol is an AWS wire protocol: how an operation's request is decoded
// and its result or error encoded. The codecs live here, once.
type Protocol interface {
	decode(r *http.Request) (op string, in *Request, err error)
	writeResult(w http.ResponseWriter, id, op string, in *Request, out any)
	writeError(w http.ResponseWriter, id, op string, err error)
}

// JSON is the awsJson protocol (version "1.0" or "1.1") of a service whose
// X-Amz-Target is "<targetPrefix>.<Operation>" (e.g. AWSStepFunctions).
func JSON(version, targetPrefix string) Protocol {
	return &jsonProtocol{version: version, targetPrefix: targetPrefix}
}

type jsonProtocol struct{ version, targetPrefix string }

func (p *jsonProtocol) decode(r *http.Request) (string, *Request, error) {
	_, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	if r.Method != http.MethodPost {
		return op, nil, &Error{Code: "SerializationException", Status: http.StatusBadRequest, Message: "the JSON protocol takes POST requests"}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return op, nil, &Error{Code: "SerializationException", Status: http.StatusBadRequest, Message: "reading the request body: " + err.Error()}
	}
	if len(body) > maxBody {
		return op, nil, &Error{Code: "SerializationException", Status: http.StatusRequestEntityTooLarge, Message: "the request body is over 16 MiB"}
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	if !json.Valid(body) {
		return op, nil, &Error{Code: "SerializationException", Status: http.StatusBadRequest, Message: "the request body is not JSON"}
	}
	return op, &Request{Body: body, Header: r.Header}, nil
}

func (p *jsonProtocol) contentType() string { return "application/x-amz-json-" + p.version }

func (p *jsonProtocol) writeResult(w http.ResponseWriter, id, op string, _ *Request, out any) {
	var b []byte
	switch v := out.(type) {
	case nil:
		b = []byte("{}")
	case json.RawMessage:
		b = v
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			p.writeError(w, id, op, &Error{Code: "InternalFailure", Status: http.StatusInternalServerError, Server: true, Message: "encoding the response: " + err.Error()})
			return
		}
	}
	w.Header().Set("Content-Type", p.contentType())
	_, _ = w.Write(b)
}

func (p *jsonProtocol) writeError(w http.ResponseWriter, id, op string, err error) {
	e := asError(err, op, func(op string) *Error {
		return &Error{Code: "UnknownOperationException", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("the local cloud does not implement %s.%s", p.targetPrefix, op)}
	})
	w.Header().Set("Content-Type", p.contentType())
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(e.Status)
	b, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
	_, _ = w.Write(b)
}

func writeJSONError(w http.ResponseWriter, id string, e *Error) {
	(&jsonProtocol{version: "1.1"}).writeError(w, id, "", e)
}

// Query is the AWS query protocol (form-encoded Action=...&Version=...,
// XML responses) of a service whose XML namespace is xmlns.
func Query(xmlns, version string) Protocol { return &queryProtocol{xmlns: xmlns, version: version} }

type queryProtocol struct{ xmlns, version string }

func (p *queryProtocol) decode(r *http.Request) (string, *Request, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		return "", nil, &Error{Code: "MalformedQueryString", Status: http.StatusBadRequest, Message: err.Error()}
	}
	op := r.Form.Get("Action")
	if op == "" {
		return "", nil, &Error{Code: "MissingAction", Status: http.StatusBadRequest, Message: "the request names no Action"}
	}
	return op, &Request{Params: r.Form, Header: r.Header}, nil
}

func (p *queryProtocol) writeResult(w http.ResponseWriter, id, op string, _ *Request, out any) {
	var b strings.Builder
	enc := xml.NewEncoder(&b)
	resp := xml.StartElement{Name: xml.Name{Local: op + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: p.xmlns}}}
	err := enc.EncodeToken(resp)
	// An operation with nothing to return still gets its (empty) result
	// element: the SDK looks for it whenever the output shape exists.
	if out == nil {
		out = struct{}{}
	}
	if err == nil {
		err = enc.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: op + "Result"}})
	}
	if err == nil {
		err = enc.EncodeElement(struct {
			RequestID string `xml:"RequestId"`
		}{id}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	}
	if err == nil {
		err = enc.EncodeToken(resp.End())
	}
	if err == nil {
		err = enc.Flush()
	}
	if err != nil {
		p.writeError(w, id, op, &Error{Code: "InternalFailure", Status: http.StatusInternalServerError, Server: true, Message: "encoding the response: " + err.Error()})
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	_, _ = io.WriteString(w, b.String())
}

func (p *queryProtocol) writeError(w http.ResponseWriter, id, op string, err error) {
	e := asError(err, op, func(op string) *Error {
		return &Error{Code: "InvalidAction", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("Could not find operation %s for version %s: the local cloud does not implement it", op, p.version)}
	})
	typ := "Sender"
	if e.Server {
		typ = "Receiver"
	}
	type errorBody struct {
		Type, Code, Message string
	}
	body := struct {
		XMLName   xml.Name  `xml:"ErrorResponse"`
		Xmlns     string    `xml:"xmlns,attr"`
		Error     errorBody `xml:"Error"`
		RequestID string    `xml:"RequestId"`
	}{Xmlns: p.xmlns, Error: errorBody{typ, e.Code, e.Message}, RequestID: id}
	b, _ := xml.Marshal(body)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

// asError turns what a service returned into an *Error: an unknown
// operation as the protocol words it, anything unnamed as a server fault.
func asError(err error, op string, unknown func(string) *Error) *Error {
	if errors.Is(err, ErrUnknownOperation) {
		return unknown(op)
	}
	var e *Error
	if errors.As(err, &e) {
		if e.Status == 0 {
			c := *e
			c.Status = http.StatusBadRequest
			if c.Server {
				c.Status = http.StatusInternalServerError
			}
			return &c
		}
		return e
	}
	return &Error{Code: "InternalFailure", Status: http.StatusInternalServerError, Server: true, Message: err.Error()}
}
