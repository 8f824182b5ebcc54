# coplan: one static binary on a distroless base. Build: docker build -t coplan .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /coplan ./cmd/coplan

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /coplan /coplan
# Listen on all interfaces inside the container; TLS ends at the reverse proxy.
ENV COPLAN_ADDR=0.0.0.0:8080
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/coplan"]
CMD ["serve"]
