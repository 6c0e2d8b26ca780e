import { INestApplication, applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, DocumentBuilder, SchemaObject, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';

/** Where every service serves its OpenAPI document, and its browsable form. */
export const OPENAPI_JSON_PATH = 'openapi.json';
export const OPENAPI_UI_PATH = 'docs';

/**
 * GET /openapi.json (the document) and GET /docs (Swagger UI over it). The document is
 * built on the first request, from the controllers' decorators; reviewers authenticate
 * with `Authorization: Bearer <token>` (the `bearer` scheme of @ApiBearerAuth()).
 */
export function setUpOpenApi(app: INestApplication, service: { name: string; description?: string }): void {
  const config = new DocumentBuilder()
    .setTitle(`hitl ${service.name}`)
    .setDescription(service.description ?? `The HTTP API of the hitl ${service.name} service.`)
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: "A reviewer's token (issued by an admin, or set in the reviewers file)" })
    .build();
  SwaggerModule.setup(OPENAPI_UI_PATH, app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: `hitl ${service.name} API`,
  });
}

/** A zod schema as an OpenAPI 3.0 schema object (what the request is parsed with is what is documented). */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): SchemaObject {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as SchemaObject;
}

/** Documents a JSON body with the zod schema the route parses it with. */
export const ApiZodBody = (schema: z.ZodType, description?: string) => ApiBody({ schema: openApiSchema(schema), description });

/** Documents each query parameter of a zod object schema (all optional unless the schema requires them). */
export function ApiZodQuery(schema: z.ZodObject): MethodDecorator {
  const json = openApiSchema(schema);
  const required = new Set(json.required ?? []);
  const params = Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property as SchemaObject;
    return ApiQuery({ name, required: required.has(name) && rest.default === undefined, description, schema: rest });
  });
  return applyDecorators(...params);
}
