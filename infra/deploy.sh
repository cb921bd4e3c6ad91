#!/usr/bin/env bash
# Deploys an environment: build and push the images, then terraform init/plan/apply.
#   infra/deploy.sh [--dry-run] [--tag TAG] [--plan-only] [--auto-approve] dev|prod
# --dry-run prints every step and runs none (no AWS credentials, terraform or container engine needed).
# Without --dry-run it refuses to start unless AWS credentials work (aws sts get-caller-identity), and terraform and a
# container engine (docker or podman) are on PATH. Environment: ANC_TF_STATE_BUCKET (state bucket other than the
# backend block's), AWS_REGION (default us-east-1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

dry_run=0 plan_only=0 auto_approve=0 env="" tag=""
while (( $# )); do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --plan-only) plan_only=1 ;;
    --auto-approve) auto_approve=1 ;;
    --tag) tag=${2:?--tag needs a value}; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    dev|prod) env=$1 ;;
    *) echo "deploy.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ -n "$env" ]] || { echo "usage: infra/deploy.sh [--dry-run] [--tag TAG] [--plan-only] [--auto-approve] dev|prod" >&2; exit 2; }

tfdir="$root/infra/terraform/envs/$env"
region=${AWS_REGION:-us-east-1}
tag=${tag:-$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo manual)}
tf=(terraform -chdir="$tfdir")
backend_args=()
[[ -n "${ANC_TF_STATE_BUCKET:-}" ]] && backend_args+=("-backend-config=bucket=$ANC_TF_STATE_BUCKET")
var_args=(-var "image_tag=$tag" -var "region=$region")
[[ -f "$tfdir/terraform.tfvars" ]] && var_args+=(-var-file=terraform.tfvars)
# Images: app (infra/docker/<app>.Dockerfile, built by infra/docker/build.sh inside it) → ECR repository key.
declare -A repos=([gateway]=gateway [silo]=silo [serving]=classifier)

say() { printf '%s\n' "$*"; }
run() {
  # Prints the command; runs it unless --dry-run.
  printf '+ %s\n' "$*"
  (( dry_run )) || "$@"
}

plan_steps() {
  say "deploy.sh would, for environment '$env' (region $region, image tag $tag):"
  say "  1. terraform -chdir=infra/terraform/envs/$env init ${backend_args[*]:-} (S3 state, DynamoDB lock table terraform-lock)"
  say "  2. terraform apply -target=aws_ecr_repository.this -target=aws_secretsmanager_secret.admin_key (registries and the admin key's secret first)"
  say "  3. put a random 48-byte admin key into the secret if it has no value yet (never into Terraform state)"
  say "  4. for gateway, silo (and serving when its Dockerfile exists): infra/docker/build.sh <app> <dir> (the publish step the"
  say "     Dockerfile runs), then <engine> build -f infra/docker/<app>.Dockerfile -t <ecr>/<repo>:$tag . and <engine> push"
  say "  5. terraform plan -out=tfplan ${var_args[*]}"
  say "  6. terraform apply tfplan$( (( plan_only )) && echo ' (skipped: --plan-only)')"
}

if (( dry_run )); then
  plan_steps
  say ""
  say "Dry run: nothing was run. The commands, in order:"
fi

if (( ! dry_run )); then
  missing=()
  command -v aws >/dev/null || missing+=("the AWS CLI (aws)")
  command -v terraform >/dev/null || missing+=("terraform")
  engine=$(command -v docker || command -v podman || true)
  [[ -n "$engine" ]] || missing+=("a container engine (docker or podman)")
  if (( ${#missing[@]} )); then
    plan_steps >&2
    echo "deploy.sh: refusing to run: missing ${missing[*]}. Use --dry-run to see the commands." >&2
    exit 3
  fi
  if ! aws sts get-caller-identity --output text >/dev/null 2>&1; then
    plan_steps >&2
    echo "deploy.sh: refusing to run: no working AWS credentials (aws sts get-caller-identity failed). Configure a profile or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --dry-run." >&2
    exit 3
  fi
else
  engine=docker
fi

# 1. init
run "${tf[@]}" init -input=false "${backend_args[@]}"

# 2. registries and the secret
run "${tf[@]}" apply -input=false -auto-approve "${var_args[@]}" -target=aws_ecr_repository.this -target=aws_secretsmanager_secret.admin_key

# 3. the admin key's value, once
if (( dry_run )); then
  say "+ aws secretsmanager get-secret-value --secret-id <admin_key_secret_arn> || aws secretsmanager put-secret-value --secret-id <admin_key_secret_arn> --secret-string <random 48 bytes, base64>"
else
  secret=$("${tf[@]}" output -raw admin_key_secret_arn)
  if ! aws secretsmanager get-secret-value --region "$region" --secret-id "$secret" >/dev/null 2>&1; then
    say "+ aws secretsmanager put-secret-value --secret-id $secret --secret-string <generated>"
    aws secretsmanager put-secret-value --region "$region" --secret-id "$secret" --secret-string "$(openssl rand -base64 48 | tr -d '\n')" >/dev/null
    say "  The admin key is in $secret (aws secretsmanager get-secret-value --secret-id $secret)."
  fi
fi

# 4. images
if (( dry_run )); then
  registry="<account>.dkr.ecr.$region.amazonaws.com"
else
  registry=$(aws sts get-caller-identity --query Account --output text).dkr.ecr.$region.amazonaws.com
  aws ecr get-login-password --region "$region" | "$engine" login --username AWS --password-stdin "$registry"
fi
prefix=$([[ "$env" == prod ]] && echo anc-prod || echo anc)
for app in gateway silo serving; do
  dockerfile="infra/docker/$app.Dockerfile"
  if [[ ! -f "$root/$dockerfile" ]]; then
    say "  ($dockerfile not found: no $app image)"
    continue
  fi
  image="$registry/$prefix/${repos[$app]}:$tag"
  # The repositories' tags are immutable: an image already pushed for this tag is kept.
  if (( ! dry_run )) && aws ecr describe-images --region "$region" --repository-name "$prefix/${repos[$app]}" --image-ids "imageTag=$tag" >/dev/null 2>&1; then
    say "  $image exists: not rebuilt"
    continue
  fi
  if (( dry_run )); then out="<tmpdir>"; else out=$(mktemp -d); fi
  run "$root/infra/docker/build.sh" "$app" "$out/$app"
  run "$engine" build -f "$root/$dockerfile" -t "$image" "$root"
  run "$engine" push "$image"
done

# 5-6. plan, apply
run "${tf[@]}" plan -input=false -out=tfplan "${var_args[@]}"
if (( plan_only )); then
  say "Plan written to infra/terraform/envs/$env/tfplan (--plan-only)."
  exit 0
fi
if (( ! dry_run && ! auto_approve )); then
  read -r -p "Apply this plan to $env? [y/N] " answer
  [[ "$answer" == y || "$answer" == Y ]] || { say "Not applied."; exit 1; }
fi
run "${tf[@]}" apply -input=false tfplan
(( dry_run )) || "${tf[@]}" output
