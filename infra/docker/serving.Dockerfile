# syntax=docker/dockerfile:1
# The noise classifier's SageMaker serving image (classifier.serving/): GET /ping and POST /invocations on port 8080,
# SageMaker's container contract (docs/classifier-sagemaker.md, "The serving host"). SageMaker runs it as
# `docker run <image> serve`; the model is /opt/ml/model/noise-classifier.zip when the SageMaker model has a
# ModelDataUrl (SageMaker unpacks model.tar.gz there), else the model shipped in the image.
#
#   docker build -f infra/docker/serving.Dockerfile -t anc-classifier-serving .      (from the repository root)
#   docker run --rm -p 8080:8080 anc-classifier-serving
#
# The publish step is infra/docker/build.sh, the script CI runs for every image; no container engine runs on the
# build machines here, so CI tests the script, not this file (infra/README.md).

ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
COPY . .
RUN infra/docker/build.sh serving /out

# Chiseled: no shell, no package manager, a non-root user. The classifier needs no native library at prediction
# time (ML.NET runs the LightGBM trees in managed code; checked in /proc/<pid>/maps of a serving host that had
# answered invocations), so nothing is added to the base.
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /out/ ./
USER $APP_UID
# The host binds Serving:Port (or SAGEMAKER_BIND_TO_PORT) itself; the base image's ASP.NET port setting is not used.
ENV ASPNETCORE_HTTP_PORTS= \
    Serving__Port=8080 \
    Serving__ListenAddress=0.0.0.0 \
    Serving__ModelDirectory=/opt/ml/model
EXPOSE 8080
ENTRYPOINT ["dotnet", "AncOrleans.Classifier.Serving.dll"]
CMD ["serve"]
