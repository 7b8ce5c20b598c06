package flagon_test

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// multipartBody builds a multipart/form-data body with fields and files
// (name → contents, the file name is name + ".txt").
func multipartBody(t *testing.T, fields map[string]string, files ...[2]string) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		require.NoError(t, w.WriteField(k, v))
	}
	for _, f := range files {
		fw, err := w.CreateFormFile(f[0], f[0]+".txt")
		require.NoError(t, err)
		_, err = fw.Write([]byte(f[1]))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return w.FormDataContentType(), &b
}

// emptyTempDir points os.TempDir at a fresh directory and returns a check
// that nothing is left in it.
func emptyTempDir(t *testing.T) func() []string {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	return func() []string {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
}

func TestFormReaders(t *testing.T) {
	app := quietApp()
	app.Post("/", func(c *flagon.Context) error {
		fh, err := c.FormFile("doc")
		file := "none"
		if err == nil {
			f, err := fh.Open()
			if err != nil {
				return err
			}
			b, _ := io.ReadAll(f)
			f.Close()
			file = fh.Filename + "=" + string(b)
		} else if !errors.Is(err, http.ErrMissingFile) {
			return err
		}
		return c.Text(200, "name="+c.Form("name")+" q="+c.Form("q")+" query="+c.Query("q")+" file="+file+" net/http="+c.Request.FormValue("name"))
	})
	tc := app.TestClient()

	t.Run("Form reads a urlencoded body, not the query string", func(t *testing.T) {
		res := tc.Post("/?q=fromquery", "application/x-www-form-urlencoded", strings.NewReader("name=ada"))
		assert.Equal(t, "name=ada q= query=fromquery file=none net/http=ada", res.Text())
	})
	t.Run("Form and FormFile read a multipart body", func(t *testing.T) {
		ct, body := multipartBody(t, map[string]string{"name": "ada"}, [2]string{"doc", "hello"})
		res := tc.Post("/", ct, body)
		assert.Equal(t, "name=ada q= query= file=doc.txt=hello net/http=ada", res.Text())
	})
	t.Run("a body of another type is an empty form", func(t *testing.T) {
		res := tc.Post("/", "application/json", strings.NewReader(`{"name":"ada"}`))
		assert.Equal(t, "name= q= query= file=none net/http=", res.Text())
	})
	t.Run("a truncated multipart body is 400 from FormFile", func(t *testing.T) {
		ct, body := multipartBody(t, map[string]string{"name": "ada"}, [2]string{"doc", "hello"})
		res := tc.Post("/", ct, bytes.NewReader(body.Bytes()[:body.Len()-20]))
		assert.Equal(t, 400, res.Code)
	})
}

func TestFormIsParsedOnce(t *testing.T) {
	app := quietApp()
	app.Post("/", func(c *flagon.Context) error {
		first := c.Form("a")
		vs, err := c.FormValues()
		require.NoError(t, err)
		return c.Text(200, first+c.Form("a")+vs.Get("b"))
	})
	res := app.TestClient().PostForm("/", map[string][]string{"a": {"1"}, "b": {"2"}})
	assert.Equal(t, "112", res.Text(), "the body is read once; later calls see the cached form")
}

func TestMultipartBinding(t *testing.T) {
	type upload struct {
		Title  string                  `form:"title" validate:"required"`
		Doc    *multipart.FileHeader   `form:"doc" validate:"required"`
		Photos []*multipart.FileHeader `form:"photo"`
		Count  int                     `form:"count" default:"1"`
	}
	app := quietApp()
	app.Post("/", func(c *flagon.Context) error {
		in, err := flagon.Bind[upload](c)
		if err != nil {
			return err
		}
		names := []string{in.Doc.Filename}
		for _, p := range in.Photos {
			names = append(names, p.Filename)
		}
		return c.JSON(200, flagon.M{"title": in.Title, "files": names, "count": in.Count, "size": in.Doc.Size})
	})
	tc := app.TestClient()
	t.Run("fields and files bind, files as one header or many", func(t *testing.T) {
		ct, body := multipartBody(t, map[string]string{"title": "t"}, [2]string{"doc", "abc"}, [2]string{"photo", "1"}, [2]string{"photo", "2"})
		res := tc.Post("/", ct, body)
		require.Equal(t, 200, res.Code, res.Text())
		assert.JSONEq(t, `{"title":"t","files":["doc.txt","photo.txt","photo.txt"],"count":1,"size":3}`, res.Text())
	})
	t.Run("a missing file fails validation under its form name", func(t *testing.T) {
		ct, body := multipartBody(t, map[string]string{"title": "t"})
		res := tc.Post("/", ct, body)
		require.Equal(t, 422, res.Code)
		assert.Equal(t, flagon.FieldError{Field: "doc", Source: "form", Rule: "required", Message: "is required"}, decodeProblem(t, res).Errors[0])
	})
}

func TestMultipartTempFilesAreRemoved(t *testing.T) {
	big := strings.Repeat("x", 64<<10)
	newApp := func(seen *int64) *flagon.App {
		app := quietApp()
		app.Config.MaxMultipartMemory = 1 << 10 // the upload spills to a temporary file
		app.Post("/", func(c *flagon.Context) error {
			fh, err := c.FormFile("doc")
			if err != nil {
				return err
			}
			*seen = fh.Size
			f, err := fh.Open()
			if err != nil {
				return err
			}
			defer f.Close()
			if _, onDisk := f.(*os.File); !onDisk {
				return flagon.Abort(500, "the upload should be on disk")
			}
			switch c.Query("end") {
			case "error":
				return errors.New("fails after reading the upload")
			case "panic":
				panic("panics after reading the upload")
			}
			return c.Text(200, "ok")
		})
		return app
	}
	t.Run("without a server, the app removes the files when the request ends", func(t *testing.T) {
		left := emptyTempDir(t)
		var seen int64
		app := newApp(&seen)
		ct, body := multipartBody(t, nil, [2]string{"doc", big})
		req := httptest.NewRequest("POST", "/", body)
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		require.Equal(t, 200, rec.Code, rec.Body.String())
		assert.Equal(t, int64(len(big)), seen)
		assert.Empty(t, left())
	})
	for _, end := range []string{"error", "panic"} {
		t.Run("through a real server, when the handler ends with a "+end, func(t *testing.T) {
			left := emptyTempDir(t)
			var seen int64
			app := newApp(&seen)
			app.Use(func(next flagon.HandlerFunc) flagon.HandlerFunc {
				return func(c *flagon.Context) error {
					// A clone, as context-adding middleware makes: net/http
					// cannot see the form parsed on it.
					c.Request = c.Request.Clone(c.Request.Context())
					return next(c)
				}
			})
			srv := httptest.NewServer(app)
			defer srv.Close()
			ct, body := multipartBody(t, nil, [2]string{"doc", big})
			res, err := http.Post(srv.URL+"/?end="+end, ct, body)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, 500, res.StatusCode)
			assert.Equal(t, int64(len(big)), seen)
			assert.Empty(t, left())
		})
	}
}

func TestFormBodiesByMethod(t *testing.T) {
	app := quietApp()
	app.Route("/", func(c *flagon.Context) error { return c.Text(200, c.Form("a")) }, "POST", "PUT", "PATCH", "DELETE")
	tc := app.TestClient()
	for _, m := range []string{"POST", "PUT", "PATCH"} {
		req := httptest.NewRequest(m, "/", strings.NewReader("a=1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		assert.Equal(t, "1", tc.Do(req).Text(), "%s reads a urlencoded body", m)
	}
	req := httptest.NewRequest("DELETE", "/", strings.NewReader("a=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	assert.Equal(t, "", tc.Do(req).Text(), "DELETE does not, as in net/http")
	ct, body := multipartBody(t, map[string]string{"a": "2"})
	req = httptest.NewRequest("DELETE", "/", body)
	req.Header.Set("Content-Type", ct)
	assert.Equal(t, "2", tc.Do(req).Text(), "a multipart body is read for any method")
}
