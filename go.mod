module github.com/flagon-go/flagon

go 1.24
