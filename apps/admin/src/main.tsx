import "@quantago/ui/styles.css";
import { mountRoutedApp } from "@quantago/app-kit";
import { createAdminRouter } from "./router.tsx";

mountRoutedApp(createAdminRouter, { publicPaths: ["/sign-in"] });
