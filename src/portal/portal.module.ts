import { type DynamicModule, Module } from '@nestjs/common';
import { CitizenPagesController } from './citizen-pages.controller';
import { ContactPagesController } from './contact-pages.controller';
import { GrantPagesController } from './grant-pages.controller';
import { MyDataPagesController } from './my-data-pages.controller';
import { OfficerPagesController } from './officer-pages.controller';
import { PortalAuthController } from './portal-auth.controller';
import { PortalContext } from './portal-context';
import { PortalNames } from './portal-names';
import { PortalOidc } from './portal-oidc';
import { PORTAL_OPTIONS, type PortalOptions } from './portal-options';
import { PortalSessions } from './portal-session';

/** The modules the portal's pages use, as the application created them. */
export interface PortalImports {
  /** The catalogue, for the names of products and purposes. */
  contracts: DynamicModule;
  /** The token verifier, for signing in. */
  citizenAuth: DynamicModule;
  /** A citizen's consents and requests. */
  consent: DynamicModule;
  /** The access log and the privacy officer's audit pages. */
  audit: DynamicModule;
  /** The citizen's own data, and the preview of what a request would send. */
  myData: DynamicModule;
  /** The citizen's contact details and message choices. */
  notifications: DynamicModule;
}

/**
 * The citizens' and privacy officers' web pages, served on the public listener
 * at `/`. Its error pages (PORTAL_PROBLEM_PAGE) reach the platform's error
 * filter through the platform's options.
 */
@Module({})
export class PortalModule {
  static forRoot(options: PortalOptions, uses: PortalImports): DynamicModule {
    return {
      module: PortalModule,
      imports: [uses.contracts, uses.citizenAuth, uses.consent, uses.audit, uses.myData, uses.notifications],
      controllers: [
        PortalAuthController,
        CitizenPagesController,
        GrantPagesController,
        OfficerPagesController,
        MyDataPagesController,
        ContactPagesController,
      ],
      providers: [
        { provide: PORTAL_OPTIONS, useValue: options },
        { provide: PortalOidc, useValue: new PortalOidc(options.oidc) },
        PortalContext,
        PortalNames,
        PortalSessions,
      ],
    };
  }
}
