// The reports API's own errors, each with a stable code.
import { NotFoundException } from '@nestjs/common';

export const reportNotFound = (id: string) => new NotFoundException({ statusCode: 404, code: 'report_not_found', message: `no report ${id}` });

export const noReportYet = () =>
  new NotFoundException({ statusCode: 404, code: 'report_not_found', message: 'no report you may read yet: POST /reports makes one' });

export const diagramNotFound = (id: string, action: string) =>
  new NotFoundException({ statusCode: 404, code: 'diagram_not_found', message: `report ${id} has no diagram for action ${action}` });
