"""Schemathesis hooks of scripts/api_conformance.sh: CSV responses (`?format=csv`) read as a list of
rows, one dict per line keyed by the header, so that they are validated against the schema's
text/csv responses (api.schema.csv_rows_schema) like any JSON body."""

import csv
import io

import schemathesis


@schemathesis.deserializer("text/csv")
def read_csv(ctx, response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))
