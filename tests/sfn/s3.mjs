// S3 on the harness's endpoint (moto on 127.0.0.1) for tests/sfn/runner.mjs: what the
// aws-sdk:s3:getObject tasks, ItemReaders and ResultWriters read and write, with the error
// names Step Functions' AWS SDK integrations use (`S3.NoSuchKeyException`, ...).
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// An error a state fails with: `name` is the ASL error Retry and Catch match.
export class TaskError extends Error {
  constructor(name, cause) {
    super(typeof cause === "string" ? cause : JSON.stringify(cause));
    this.name = name;
  }
}

export async function openS3(endpoint, modules) {
  const { S3Client, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } = await import(
    pathToFileURL(join(modules, "@aws-sdk/client-s3/dist-cjs/index.js")).href);
  const s3 = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });

  // An SDK error as the aws-sdk integration names it: `S3.NoSuchKeyException`, ...
  function s3Error(error, what) {
    const name = error.name?.endsWith("Exception") ? error.name : `${error.name ?? "S3"}Exception`;
    return new TaskError(`S3.${name}`, `${error.message} (Service: S3, Status Code: ${error.$metadata?.httpStatusCode}) ${what}`);
  }

  async function getObject(bucket, key) {
    let response;
    try {
      response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      throw s3Error(error, `${bucket}/${key}`);
    }
    const body = await response.Body.transformToString("utf-8");
    return { Body: body, ContentLength: response.ContentLength, ContentType: response.ContentType,
      ETag: response.ETag };
  }

  async function putObject(bucket, key, body) {
    try {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    } catch (error) {
      throw s3Error(error, `${bucket}/${key}`);
    }
  }

  async function listObjects(bucket, prefix) {
    const items = [];
    let ContinuationToken;
    do {
      let page;
      try {
        page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }));
      } catch (error) {
        throw s3Error(error, `${bucket}/${prefix ?? ""}`);
      }
      for (const object of page.Contents ?? []) {
        items.push({ Etag: object.ETag, Key: object.Key, LastModified: object.LastModified?.toISOString(),
          Size: object.Size, StorageClass: object.StorageClass });
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return items;
  }
  return { getObject, putObject, listObjects };
}
