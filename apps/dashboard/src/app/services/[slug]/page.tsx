import type { Metadata } from 'next';
import { ServiceDetail } from '@/features/services/service-detail';

export async function generateMetadata({ params }: PageProps<'/services/[slug]'>): Promise<Metadata> {
  return { title: (await params).slug };
}

export default async function ServicePage({ params }: PageProps<'/services/[slug]'>) {
  const { slug } = await params;
  return <ServiceDetail slug={slug} />;
}
