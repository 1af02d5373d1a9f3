import "@quantago/ui/styles.css";
import { mountRoutedApp } from "@quantago/app-kit";
import { createAppRouter } from "./router.tsx";

mountRoutedApp(createAppRouter, { publicPaths: ["/sign-in", "/sign-up"] });
