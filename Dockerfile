# Multi-stage build: compile in the Rust image, run in a slim Debian as a non-root user.
FROM rust:1-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
COPY Cargo.toml Cargo.lock build.rs rustfmt.toml clippy.toml ./
COPY .cargo ./.cargo
COPY src ./src
COPY migrations ./migrations
COPY openapi ./openapi
COPY templates ./templates
COPY locales ./locales
COPY assets ./assets
COPY bench ./bench
COPY tests ./tests
RUN cargo build --release --locked --bin pactum

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 libssl3 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/pactum --create-home pactum
COPY --from=build /src/target/release/pactum /usr/local/bin/pactum
USER pactum
WORKDIR /var/lib/pactum
# A fixed mmap threshold: glibc otherwise raises it to the size of the largest block freed, and
# then keeps every sign-in's 19 MiB of argon2 memory in the heap of the thread that hashed
# (idle RSS 76 MB after three sign-ins instead of 38; see the README's Benchmarks).
ENV PACTUM_BIND=0.0.0.0:8080 \
    PACTUM_DATA_DIR=/var/lib/pactum \
    PACTUM_LOG_FORMAT=json \
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
ENTRYPOINT ["pactum"]
CMD ["serve"]
