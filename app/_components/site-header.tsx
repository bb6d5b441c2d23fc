// The bar at the top of every page: the brand link on the left, the page's own links on the right.
import Link from 'next/link';

/** The bar at the top of every page; `children` are the links or account controls on the right. */
export function SiteHeader({ children }: { children?: React.ReactNode }) {
  return (
    <header className="site-header">
      <Link href="/" className="brand">
        Clerk + Supabase
      </Link>
      <nav aria-label="Main" className="site-nav">
        {children}
      </nav>
    </header>
  );
}
