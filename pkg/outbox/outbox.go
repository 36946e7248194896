// Package outbox reads the local cloud's outbox folder: the emails SNS
// would have sent, one RFC 5322 .eml file each, for
// `go run mage.go outbox` to show.
package outbox

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Mail is one email of the outbox.
type Mail struct {
	Path    string
	Time    time.Time
	From    string
	To      string
	Subject string
	Body    string
	// Header is every header of the mail, as parsed.
	Header mail.Header
}

// List reads every .eml file of dir, oldest first (newest last); a dir
// that does not exist yet is an empty outbox.
func List(dir string) ([]Mail, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	var out []Mail
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".eml") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		m, err := Read(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	// File names start with the time too; they break ties of the Date
	// header's one-second precision.
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.Before(out[j].Time)
		}
		return filepath.Base(out[i].Path) < filepath.Base(out[j].Path)
	})
	return out, nil
}

// Read parses one .eml file.
func Read(path string) (Mail, error) {
	f, err := os.Open(path)
	if err != nil {
		return Mail{}, fmt.Errorf("outbox: %w", err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		return Mail{}, fmt.Errorf("outbox: %s: %w", path, err)
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		return Mail{}, fmt.Errorf("outbox: %s: %w", path, err)
	}
	m := Mail{Path: path, Header: msg.Header, From: addresses(msg.Header.Get("From")), To: addresses(msg.Header.Get("To")),
		Subject: decode(msg.Header.Get("Subject")), Body: strings.ReplaceAll(string(body), "\r\n", "\n")}
	if t, err := msg.Header.Date(); err == nil {
		m.Time = t
	} else if info, err := f.Stat(); err == nil {
		m.Time = info.ModTime()
	}
	return m, nil
}

// addresses reads an address list as people write it: "Name <a@b>" or
// just "a@b".
func addresses(s string) string {
	list, err := mail.ParseAddressList(s)
	if err != nil {
		return decode(s)
	}
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Address
		if a.Name != "" {
			out[i] = a.Name + " <" + a.Address + ">"
		}
	}
	return strings.Join(out, ", ")
}

// decode undoes RFC 2047 encoded words (a display name in UTF-8).
func decode(s string) string {
	if out, err := new(mime.WordDecoder).DecodeHeader(s); err == nil {
		return out
	}
	return s
}

// Print writes mails as a table of time, recipient and subject; with
// full, each mail's headers and body follow instead.
func Print(w io.Writer, mails []Mail, full bool) error {
	if len(mails) == 0 {
		_, err := fmt.Fprintln(w, "The outbox is empty.")
		return err
	}
	if full {
		for i, m := range mails {
			if i > 0 {
				if _, err := fmt.Fprintln(w, strings.Repeat("-", 72)); err != nil {
					return err
				}
			}
			if err := printFull(w, m); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tTO\tSUBJECT")
	for _, m := range mails {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Time.Local().Format(time.DateTime), m.To, m.Subject)
	}
	return tw.Flush()
}

func printFull(w io.Writer, m Mail) error {
	var b strings.Builder
	fmt.Fprintf(&b, "File: %s\n", m.Path)
	// The headers people read first, then the others by name.
	keys := []string{"From", "To", "Subject", "Date"}
	var rest []string
	for k := range m.Header {
		if k != "From" && k != "To" && k != "Subject" && k != "Date" {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range append(keys, rest...) {
		for _, v := range m.Header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, decode(v))
		}
	}
	b.WriteString("\n")
	b.WriteString(m.Body)
	if !strings.HasSuffix(m.Body, "\n") {
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
