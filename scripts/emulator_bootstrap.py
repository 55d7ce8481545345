"""Creates the emulator's IAM user (allow-all policy) and writes its keys as an env file.

These are the only unsigned requests the emulator accepts (INITIAL_NO_AUTH_ACTION_COUNT=3):
CreateUser, CreateAccessKey, PutUserPolicy. Everything after them must be signed with the keys.
"""
import json
import sys

import boto3


def main(endpoint: str, env_path: str) -> None:
    iam = boto3.client(
        "iam", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap",
    )
    user = "pipeline"
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    iam.put_user_policy(
        UserName=user,
        PolicyName="allow-all",
        PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        }),
    )
    with open(env_path, "w") as out:
        out.write(f"AWS_ENDPOINT_URL={endpoint}\n")
        out.write("AWS_REGION=us-east-1\n")
        out.write(f"AWS_ACCESS_KEY_ID={key['AccessKeyId']}\n")
        out.write(f"AWS_SECRET_ACCESS_KEY={key['SecretAccessKey']}\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
