#!/bin/bash
# LocalStack ready.d hook: the pipeline's buckets, FIFO queues (content-based deduplication) and
# their FIFO dead-letter queues (RedrivePolicy, maxReceiveCount 5). Idempotent.
set -euo pipefail
region=${AWS_DEFAULT_REGION:-us-east-1}

for bucket in "${INPUT_BUCKET:-image-input}" "${PROCESSED_BUCKET:-image-processed}"; do
  awslocal s3api head-bucket --bucket "$bucket" 2>/dev/null || awslocal s3api create-bucket --bucket "$bucket" --region "$region"
done

for queue in "${INPUT_QUEUE:-new-image-input.fifo}" "${PROCESSED_QUEUE:-new-image-processed.fifo}"; do
  dlq="${queue%.fifo}-dlq.fifo"
  dlq_url=$(awslocal sqs create-queue --queue-name "$dlq" --attributes FifoQueue=true,MessageRetentionPeriod=1209600 --query QueueUrl --output text)
  dlq_arn=$(awslocal sqs get-queue-attributes --queue-url "$dlq_url" --attribute-names QueueArn --query Attributes.QueueArn --output text)
  cat > /tmp/attributes.json <<JSON
{"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "60",
 "RedrivePolicy": "{\"deadLetterTargetArn\":\"$dlq_arn\",\"maxReceiveCount\":5}"}
JSON
  awslocal sqs create-queue --queue-name "$queue" --attributes file:///tmp/attributes.json >/dev/null
done
echo "pipeline resources ready"
