# The noise classifier's SageMaker serving image (classifier.serving/): GET /ping and POST /invocations on port 8080,
# SageMaker's container contract (docs/classifier-sagemaker.md, "The serving host"). SageMaker runs it as
# `docker run <image> serve`; the model is /opt/ml/model/noise-classifier.zip when the SageMaker model has a
# ModelDataUrl (SageMaker unpacks model.tar.gz there), else the model shipped in the image. Build from the repository root:
#   docker build -f infra/docker/serving.Dockerfile -t anc-classifier-serving .
#   docker run --rm -p 8080:8080 anc-classifier-serving
# Not built on our machines (no container engine runs there, no base image can be pulled); its build step is
# infra/docker/build.sh, the script CI runs for every image.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN infra/docker/build.sh serving /app

# Chiseled Ubuntu: no shell, no package manager, runs as the non-root "app" user (UID 1654). The classifier loads no
# native library when it predicts (ML.NET runs the LightGBM trees in managed code: /proc/<pid>/maps of a serving host
# that had answered invocations lists no lib_lightgbm and no ML.NET native), so nothing is added to the base.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app .
USER app
EXPOSE 8080
# The host binds Serving:Port, or SAGEMAKER_BIND_TO_PORT when SageMaker sets it; the base image's ASP.NET port
# setting is cleared so it is not mistaken for the one in use.
ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true \
    ASPNETCORE_HTTP_PORTS= \
    Serving__Port=8080 \
    Serving__ListenAddress=0.0.0.0 \
    Serving__ModelDirectory=/opt/ml/model
ENTRYPOINT ["dotnet", "AncOrleans.Classifier.Serving.dll"]
CMD ["serve"]
