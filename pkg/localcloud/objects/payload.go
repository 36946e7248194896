package objects

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// checksums are the full-object checksum algorithms S3 takes, by the
// header that carries each (x-amz-checksum-<name>).
var checksums = []struct {
	header, name string
	new          func() hash.Hash
}{
	{"X-Amz-Checksum-Crc32", "CRC32", func() hash.Hash { return crc32.NewIEEE() }},
	{"X-Amz-Checksum-Crc32c", "CRC32C", func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) }},
	{"X-Amz-Checksum-Crc64nvme", "CRC64NVME", func() hash.Hash { return crc64.New(crc64.MakeTable(0x9a6c9329ac4bc9b5)) }},
	{"X-Amz-Checksum-Sha1", "SHA1", sha1.New},
	{"X-Amz-Checksum-Sha256", "SHA256", sha256.New},
}

// readPayload reads a request's body as S3 takes it: aws-chunked bodies
// (signed or not, with trailers) decoded, the payload's SHA-256 and any
// x-amz-checksum-* (header or trailer) and Content-MD5 verified. It
// leaves the request as if the body had been sent plainly, the checksums
// in headers, so gofakes3 sees an ordinary upload.
func readPayload(r *http.Request) ([]byte, error) {
	raw, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		return nil, err
	}
	sha := r.Header.Get("X-Amz-Content-Sha256")
	body := raw
	trailers := http.Header{}
	if strings.HasPrefix(sha, "STREAMING-") || strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") {
		if body, err = decodeChunked(raw, trailers); err != nil {
			return nil, err
		}
		if d := r.Header.Get("X-Amz-Decoded-Content-Length"); d != "" {
			if n, err := strconv.ParseInt(d, 10, 64); err != nil || n != int64(len(body)) {
				return nil, s3Error("IncompleteBody", http.StatusBadRequest, "You did not provide the number of bytes specified by the Content-Length HTTP header")
			}
		}
	} else if len(sha) == 64 {
		sum := sha256.Sum256(body)
		if !strings.EqualFold(hex.EncodeToString(sum[:]), sha) {
			return nil, s3Error("XAmzContentSHA256Mismatch", http.StatusBadRequest, "The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
	}
	for _, c := range checksums {
		v := r.Header.Get(c.header)
		if v == "" {
			v = trailers.Get(c.header)
		}
		if v == "" {
			continue
		}
		h := c.new()
		h.Write(body)
		if base64.StdEncoding.EncodeToString(h.Sum(nil)) != v {
			return nil, s3Error("BadDigest", http.StatusBadRequest, "The %s you specified did not match the calculated checksum.", c.name)
		}
		r.Header.Set(c.header, v)
	}
	if v, ok := r.Header["Content-Md5"]; ok {
		want, err := base64.StdEncoding.DecodeString(strings.Join(v, ""))
		if err != nil || len(want) != md5.Size {
			return nil, s3Error("InvalidDigest", http.StatusBadRequest, "The Content-MD5 you specified was invalid.")
		}
		if got := md5.Sum(body); !bytes.Equal(got[:], want) {
			return nil, s3Error("BadDigest", http.StatusBadRequest, "The Content-MD5 you specified did not match what we received.")
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	r.Header.Del("X-Amz-Decoded-Content-Length")
	r.Header.Del("X-Amz-Trailer")
	if ce := stripAwsChunked(r.Header.Get("Content-Encoding")); ce != "" {
		r.Header.Set("Content-Encoding", ce)
	} else {
		r.Header.Del("Content-Encoding")
	}
	return body, nil
}

// decodeChunked decodes an aws-chunked body: chunks of
// "<hex size>[;chunk-signature=...]\r\n<data>\r\n", a zero-size chunk,
// then trailer lines.
func decodeChunked(raw []byte, trailers http.Header) ([]byte, error) {
	bad := func() error {
		return s3Error("IncompleteBody", http.StatusBadRequest, "The request body is not a well-formed aws-chunked encoding")
	}
	br := bufio.NewReader(bytes.NewReader(raw))
	var out []byte
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, bad()
		}
		sizeHex, _, _ := strings.Cut(strings.TrimRight(line, "\r\n"), ";")
		n, err := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
		if err != nil || n < 0 {
			return nil, bad()
		}
		if n == 0 {
			break
		}
		chunk := make([]byte, n)
		if _, err := io.ReadFull(br, chunk); err != nil {
			return nil, bad()
		}
		out = append(out, chunk...)
		if crlf, err := br.ReadString('\n'); err != nil || strings.TrimRight(crlf, "\r\n") != "" {
			return nil, bad()
		}
	}
	for {
		line, err := br.ReadString('\n')
		if k, v, ok := strings.Cut(strings.TrimRight(line, "\r\n"), ":"); ok {
			trailers.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
		if err != nil {
			break
		}
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

func stripAwsChunked(ce string) string {
	var keep []string
	for _, p := range strings.Split(ce, ",") {
		if p = strings.TrimSpace(p); p != "" && p != "aws-chunked" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ",")
}
